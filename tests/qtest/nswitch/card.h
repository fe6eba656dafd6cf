/*
 * nswitch-nic qtests: the one fixture layer of the suites (Card: the
 * machine, the card, its uplink socket and VFs with running drivers),
 * config space, QMP counters and checks, a minimal virtio-net driver for
 * the VFs and the PF down to its rings, and the socket uplink
 *
 * libqos cannot reach extended config space, so these are plain qtests:
 * they number the root port's bus themselves (no firmware runs), reach
 * config space through 0xcf8/0xcfc and, for the SR-IOV capability,
 * through the MMCONFIG window opened in the q35 host bridge.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_QTEST_CARD_H
#define NSWITCH_QTEST_CARD_H

#include "libqtest.h"
#include "qapi/error.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "hw/pci/pci_regs.h"
#include "hw/pci/pci_ids.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_net.h"
#include "standard-headers/linux/virtio_pci.h"
#include "standard-headers/linux/virtio_ring.h"

#define VIRTIO_PCI_VENDOR_ID 0x1af4
#define VIRTIO_NET_MODERN_DEVICE_ID 0x1041
#define VIRTIO_F_SR_IOV 37
#define VIRTIO_F_VERSION_1 32

/* Root port at 00:02.0; the card on its secondary bus. */
#define ROOT_PORT_DEVFN (2 << 3)
#define CARD_BUS 1
#define PF_DEVFN 0
#define VF_DEVFN(vf) (1 + (vf))
#define MACHINE_ARGS "-machine q35 -nodefaults " \
    "-device pcie-root-port,id=rp0,bus=pcie.0,chassis=1,addr=0x2"

/* q35: PCIEXBAR in the host bridge's config space, 256 MiB window. */
/*
 * Every wait polls in steps of WAIT_STEP_US, for 30 s at most: a loaded CI
 * host is slow, and a bound that only a failure reaches costs nothing.
 */
#define WAIT_STEP_US (10 * 1000)
#define WAIT_STEPS 3000

#define PCIEXBAR 0x60
#define ECAM_BASE 0xb0000000ull
/* Where the root port's prefetchable window and the PF's BAR 4 go. */
#define MMIO_WINDOW 0xc0000000ull

uint32_t config_address(uint8_t bus, uint8_t devfn, uint8_t offset);

uint32_t config_readl(QTestState *qts, uint8_t bus, uint8_t devfn,
                      uint8_t offset);

void config_writel(QTestState *qts, uint8_t bus, uint8_t devfn,
                   uint8_t offset, uint32_t value);

uint64_t ecam(uint8_t bus, uint8_t devfn, uint16_t offset);

uint32_t ext_readl(QTestState *qts, uint8_t devfn, uint16_t offset);

uint16_t ext_readw(QTestState *qts, uint8_t devfn, uint16_t offset);

void ext_writel(QTestState *qts, uint8_t devfn, uint16_t offset,
                uint32_t value);

void ext_writew(QTestState *qts, uint8_t devfn, uint16_t offset,
                uint16_t value);

/*
 * The root port's prefetchable window, MMIO_WINDOW .. + 4 MiB, where the
 * PF's BAR 4 and the VFs' BARs 4 go; memory and bus mastering on.
 */
void open_root_port_window(QTestState *qts);

/* What firmware would do: bus numbers and the MMCONFIG window. */
void prepare_machine(QTestState *qts);

QTestState *start_with_card(const char *card_options);

/* Offset of extended capability @id of function @devfn, or 0. */
uint16_t find_ext_cap(QTestState *qts, uint8_t devfn, uint16_t id);

uint16_t sriov_cap(QTestState *qts);

void set_vfs(QTestState *qts, uint16_t count);

bool vf_present(QTestState *qts, uint16_t vf);

/* The card's entry in query-nswitch; the caller unrefs @rsp. */
QDict *query_card(QTestState *qts, QDict **rsp);

QDict *card_port(QDict *card, int64_t number);

/* A counter of query-nswitch, of port @port or of the paths (PATHS). */
int64_t card_counter(QTestState *qts, int64_t port, const char *name);

/* The same for a multi-port card: the entry of the PF numbered @pf. */
QDict *query_port_card(QTestState *qts, int64_t pf, QDict **rsp);
int64_t pf_counter(QTestState *qts, int64_t pf, int64_t port,
                   const char *name);

/*
 * QMP commands written with printf's format (libqtest's %s would quote
 * what it inserts): the command must succeed; or it must fail with an
 * error that mentions @needle.
 */
void qmp_ok(QTestState *qts, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void assert_qmp_error(QTestState *qts, const char *needle, const char *fmt,
                      ...) G_GNUC_PRINTF(3, 4);

/* nswitch-acl-add on card @device with @args; returns the rule's id. */
int64_t acl_add(QTestState *qts, const char *device, const char *args);

/* nswitch-capture-stop: the frames written, and lost in @lost if given. */
int64_t capture_stop(QTestState *qts, const char *device, int64_t *lost);

/* Waits (the socket is read by QEMU's main loop) for a counter to reach. */
void wait_for_counter(QTestState *qts, int64_t port, const char *name,
                      int64_t expected);
void wait_for_pf_counter(QTestState *qts, int64_t pf, int64_t port,
                         const char *name, int64_t expected);

/*
 * Every frame is accounted for: what the ports gave the switch, with the
 * copies it made, is what it delivered, dropped or holds.
 */
void assert_frames_accounted(QTestState *qts);
/* The same for one entry of query-nswitch. */
void assert_card_accounted(QDict *card);

#define PATHS (-1)
#define UPLINK_PORT 0
#define PF_PORT 1
#define VF_PORT(vf) (2 + (vf))

extern const uint8_t pf_mac[6];
extern const uint8_t broadcast_mac[6];
extern const uint8_t outside_mac[6];
/* A MAC of another OUI than the card's: frames for it leave by the uplink. */
extern const uint8_t other_oui_mac[6];

void vf_mac(uint8_t mac[6], int vf);

/* Frames on a socket netdev: a 4-byte big-endian length, then the bytes. */
void send_socket_frame(int fd, const uint8_t *dst, const uint8_t *src,
                       size_t len);

QTestState *start_machine_with_uplink(const char *card_options,
                                      const char *machine_options,
                                      int *uplink_fd);

QTestState *start_with_uplink(const char *card_options, int *uplink_fd);

/* Waits for a migration to end; true if it completed, false if it failed. */
bool migration_completes(QTestState *qts);

void wait_for_migration(QTestState *qts);

/*
 * Migrates @src through a file into a new machine with the card
 * (@card_options) and its own uplink socket (@dst_fd); returns it.
 */
QTestState *migrate_card(QTestState *src, const char *card_options,
                         int *dst_fd);

/*
 * A minimal virtio 1.0 net driver for VFs, so that frames go through the
 * virtqueues: libqos cannot map a VF's BARs, which live in the PF's
 * SR-IOV capability. No feature but VERSION_1, one RX and one TX queue
 * of QUEUE_SIZE descriptors, no interrupts: the test polls used rings.
 */
#define QUEUE_SIZE 8
#define RX_QUEUE 0
#define TX_QUEUE 1
#define CONTROL_QUEUE 2              /* with VIRTIO_NET_F_CTRL_VQ */
#define VNET_HDR_LEN 12              /* virtio_net_hdr_mrg_rxbuf, VERSION_1 */
#define VF_BAR4_BASE (MMIO_WINDOW + 0x100000)
#define VF_BAR4_SIZE 0x4000
#define GUEST_RAM_BASE 0x1000000ull  /* rings and buffers, per VF below */
#define VF_RAM_SIZE 0x10000

typedef struct VirtqueueRings {
    uint16_t size;
    uint64_t desc;
    uint64_t avail;
    uint64_t used;
    uint64_t notify;
    uint16_t next_avail;
    uint16_t seen_used;
} VirtqueueRings;

typedef struct VfDriver {
    QTestState *qts;
    uint64_t common;
    uint64_t notify_base;
    uint32_t notify_multiplier;
    uint64_t buffers;
    VirtqueueRings queue[3];
} VfDriver;

/* Opens the root port's window and gives the VFs their BAR 4. */
void map_vf_bars(QTestState *qts, uint16_t vfs);

/*
 * Where the virtio structure @type (and its extra word) of VF @vf, or of
 * the PF for PF_DRIVER, is, with BAR 4 where map_vf_bars() or
 * map_pf_bar() put it.
 */
uint64_t virtio_structure(QTestState *qts, int vf, uint8_t type,
                          uint32_t *extra);

void vf_driver_start(VfDriver *d, QTestState *qts, int vf);

/* The same, negotiating @features (bits 0..31) beside VERSION_1. */
void vf_driver_start_with_features(VfDriver *d, QTestState *qts, int vf,
                                   uint32_t features);

/*
 * The same driver for the PF (its vf is PF_DRIVER), with its BAR 4 at
 * MMIO_WINDOW (the root port's window must be open).
 */
#define PF_DRIVER (-1)
void map_pf_bar(QTestState *qts);

/*
 * A driver in steps, for rings of any size: resets the function at
 * @devfn and negotiates @features (bits 0..31) beside VERSION_1; sets up
 * queue @index of @size descriptors in the driver_queue_bytes(@size) of
 * guest RAM at @ram; then sets DRIVER_OK.
 */
#define driver_queue_bytes(size) \
    (ROUND_UP(16 * (size) + 6 + 2 * (size), 64) + 6 + 8 * (size))
void driver_negotiate(VfDriver *d, QTestState *qts, uint8_t devfn,
                      uint64_t bar4_base, uint32_t features);
void driver_setup_queue(VfDriver *d, int index, uint64_t ram, uint16_t size);
void driver_ready(VfDriver *d);

/* The features a started driver's function offers (all 64 bits). */
uint64_t offered_features(VfDriver *d);
void pf_driver_start(VfDriver *d, QTestState *qts, uint32_t features);

/*
 * The same driver for any function on the card's bus: the one at
 * @devfn, whose BAR 4 the caller put at @bar4_base, with its rings and
 * buffers in the VF_RAM_SIZE bytes of guest RAM at @ram.
 */
void function_driver_start(VfDriver *d, QTestState *qts, uint8_t devfn,
                           uint64_t bar4_base, uint64_t ram, uint32_t features);

/*
 * Sends a control-queue command (a driver started with CTRL_VQ) and
 * waits for it; returns the device's ack (VIRTIO_NET_OK or ERR), or
 * CONTROL_DEVICE_BROKEN if the device stopped to wait for a reset.
 */
#define CONTROL_DEVICE_BROKEN 0xff
uint8_t vf_control(VfDriver *d, uint8_t class, uint8_t command,
                   const void *data, size_t len);

/*
 * The rings by hand: writes descriptor @slot of queue @index; makes the
 * chain at @head available and tells the device; reads the used index;
 * takes the next used entry (its descriptor id and length) if the
 * device wrote one.
 */
void write_descriptor(VfDriver *d, int index, uint16_t slot, uint64_t addr,
                      uint32_t len, uint16_t flags, uint16_t next);
void make_available(VfDriver *d, int index, uint16_t head);
uint16_t used_index(VfDriver *d, int index);
bool take_used(VfDriver *d, int index, uint32_t *id, uint32_t *len);

/* Puts one buffer on queue @index and tells the device. */
void queue_buffer(VfDriver *d, int index, uint64_t addr, uint32_t len,
                  bool device_writes);

/* Waits for the device to use a buffer of queue @index; returns its length. */
uint32_t wait_for_used(VfDriver *d, int index);

bool queue_used_nothing(VfDriver *d, int index);

void post_rx_buffer(VfDriver *d);

/*
 * Waits for the next frame in @d's RX buffer (the one post_rx_buffer()
 * posts) and copies it out, without the virtio-net header; returns its
 * length. receive_frame() posts the buffer first.
 */
size_t read_received(VfDriver *d, uint8_t *frame, size_t size);
size_t receive_frame(VfDriver *d, uint8_t *frame, size_t size);

/* The same: the frame is @frame (assert_receives() posts the buffer). */
void assert_received(VfDriver *d, const uint8_t *frame, size_t len);
void assert_receives(VfDriver *d, const uint8_t *frame, size_t len);

/* The next frame @d receives is @len bytes long; returns its last byte. */
uint8_t next_marker(VfDriver *d, size_t len);

/* Sends @frame (@len bytes from the destination MAC) from a VF. */
void vf_send_with_header(VfDriver *d, const struct virtio_net_hdr *hdr,
                         const uint8_t *frame, size_t len);

void vf_send(VfDriver *d, const uint8_t *frame, size_t len);

/* Guest RAM for frames of any size, above every VF's own area. */
#define BIG_FRAME_AREA 0x4000000ull
#define BIG_FRAME_AREA_SIZE 0x1000000ull

/*
 * Writes @hdr (none: zeroes) and @frame at @addr, puts them on the TX
 * queue as one descriptor and tells the device; vf_send_from also waits
 * for the device to use it.
 */
void vf_queue_from(VfDriver *d, uint64_t addr,
                   const struct virtio_net_hdr *hdr, const uint8_t *frame,
                   size_t len);
void vf_send_from(VfDriver *d, uint64_t addr,
                  const struct virtio_net_hdr *hdr, const uint8_t *frame,
                  size_t len);

/*
 * The fixture of every suite: a machine with the card, its uplink socket
 * and VFs 0 .. @vfs - 1 enabled (none: SR-IOV left as at reset), each
 * with a running driver (no feature but VERSION_1;
 * vf_driver_start_with_features() restarts one with more) and its MAC
 * in @mac.
 */
#define CARD_MAX_VFS 4

typedef struct Card {
    QTestState *qts;
    int uplink_fd;               /* -1 when the test made the machine */
    VfDriver vf[CARD_MAX_VFS];
    uint8_t mac[CARD_MAX_VFS][6];
} Card;

void card_start(Card *c, const char *card_options, int vfs);

/* The same with more of QEMU's options (@machine_options). */
void card_start_machine(Card *c, const char *card_options,
                        const char *machine_options, int vfs);

/*
 * The same for a machine the test started itself (its own netdevs) and
 * gave prepare_machine(); no uplink socket.
 */
void card_drive(Card *c, QTestState *qts, int vfs);

void card_stop(Card *c);

/*
 * The bound of a "the frame another VF queued did not go": VF @from
 * sends a frame to VF @to, which receives it. QEMU runs its bottom
 * halves a batch at a time and the test sees VF @to's ring only after
 * the batch: the transmit of every notify before @from's has run too.
 */
void assert_bottom_halves_ran(Card *c, int from, int to);

void make_frame(uint8_t *frame, const uint8_t *dst, const uint8_t *src,
                uint8_t marker);

/* Writes @frame (from its destination MAC on) into the uplink socket. */
void uplink_send(int fd, const uint8_t *frame, size_t len);

/* Reads one frame from the uplink socket, or returns 0 after @ms. */
size_t uplink_receive(int fd, uint8_t *frame, size_t size, int ms);

/*
 * The next frame out of the uplink is @frame. Frames leave in order: a
 * frame sent before @frame that should not have left did not.
 */
void assert_uplink_next(int fd, const uint8_t *frame, size_t len);

/* Hot-adds a card with @options and expects an error that mentions @needle. */
void assert_device_add_fails(const char *options, const char *needle);

void assert_device_add_fails_on_rp1(const char *options,
                                    const char *needle);

/*
 * PCIe native hot-unplug as a guest answers it: after device_del pressed
 * the attention button, the guest powers the root port's slot off; then
 * QEMU removes what was in the slot.
 */
void power_off_slot(QTestState *qts);
void wait_until_no_card(QTestState *qts);

#endif
