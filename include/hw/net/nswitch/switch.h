/*
 * nswitch core: the forwarding decision of the in-card switch
 *
 * The switch has numbered ports: one uplink (the card's physical port) and
 * function ports (the PF's own interface and the VFs), each with one MAC in
 * the relay table while attached. For each frame the switch applies the
 * nSwitch rules and says where it goes:
 *   from a function, unicast, same OUI as the source  -> hairpin to the
 *     owner (Case 0); no owner known -> uplink, counted as unknown;
 *   from a function, unicast, other OUI                -> uplink (Case 1);
 *   from a function, broadcast/multicast               -> the rest of the
 *     source's relay group and the uplink, never back to the sender;
 *   from the uplink, unicast                           -> the owner of the
 *     destination MAC, or dropped (Case 2);
 *   from the uplink, broadcast/multicast               -> every function.
 * Every dropped frame is counted with its reason. Nothing allocates after
 * nswitch_new(); a decision costs O(1) for unicast and O(receivers) for
 * flooding. A flooded frame never goes back to the function that owns its
 * source MAC, even when it comes back through the uplink.
 *
 * The comparison modes of the paper change the function rules: VEB
 * switches by exact MAC with no OUI rule (today's SR-IOV NICs), VEPA
 * (802.1Qbg reflective relay) sends everything out of the uplink and
 * relies on the external switch to reflect it back.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_SWITCH_H
#define NSWITCH_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/net/nswitch/relay-table.h"
#include "hw/net/nswitch/token-bucket.h"

#define NSWITCH_ETH_HEADER_LEN 14

typedef enum NSwitchMode {
    NSWITCH_MODE_NSWITCH,        /* the OUI relay (default) */
    NSWITCH_MODE_VEB,            /* exact-MAC switching, no OUI rule */
    NSWITCH_MODE_VEPA,           /* everything through the uplink */
    NSWITCH_MODE__MAX
} NSwitchMode;

typedef enum NSwitchPortKind {
    NSWITCH_PORT_UPLINK,
    NSWITCH_PORT_PF,
    NSWITCH_PORT_VF,
} NSwitchPortKind;

typedef enum NSwitchDropReason {
    NSWITCH_DROP_RUNT,           /* shorter than an Ethernet header */
    NSWITCH_DROP_BAD_SOURCE,     /* multicast or all-zero source MAC */
    NSWITCH_DROP_SPOOFED,        /* source MAC is not the sending port's */
    NSWITCH_DROP_NO_DESTINATION, /* uplink unicast that no function owns */
    NSWITCH_DROP_PORT_DOWN,      /* sent by a port that is not attached */
    NSWITCH_DROP_LOOPBACK,       /* unicast to the sender's own MAC */
    NSWITCH_DROP_RECEIVER_FULL,  /* the receiving function could not take it */
    NSWITCH_DROP_BAD_OFFLOAD,    /* GSO or checksum request not carried out */
    NSWITCH_DROP_UPLINK_RATE,    /* over the uplink's speed */
    NSWITCH_DROP__MAX
} NSwitchDropReason;

typedef enum NSwitchPath {
    NSWITCH_PATH_DROP,
    NSWITCH_PATH_HAIRPIN,        /* Case 0: function to function */
    NSWITCH_PATH_TO_UPLINK,      /* Case 1, or unknown unicast in a group */
    NSWITCH_PATH_FROM_UPLINK,    /* Case 2: uplink to its owner */
    NSWITCH_PATH_FLOOD,          /* broadcast or multicast */
} NSwitchPath;

typedef struct NSwitchPortCounters {
    uint64_t rx_frames;          /* taken from the port into the switch */
    uint64_t rx_bytes;
    uint64_t tx_frames;          /* delivered by the switch to the port */
    uint64_t tx_bytes;
    uint64_t dropped[NSWITCH_DROP__MAX];
} NSwitchPortCounters;

typedef struct NSwitchPathCounters {
    uint64_t hairpinned;
    uint64_t to_uplink;
    uint64_t unknown_unicast;    /* nswitch mode: part of to_uplink */
    uint64_t from_uplink;
    uint64_t flooded;
    uint64_t dropped[NSWITCH_DROP__MAX];
} NSwitchPathCounters;

typedef struct NSwitchPortInfo {
    NSwitchPortKind kind;
    bool attached;
    bool spoof_check;
    uint8_t mac[NSWITCH_MAC_LEN];  /* valid while attached (not for uplink) */
    NSwitchPortCounters counters;
} NSwitchPortInfo;

typedef struct NSwitchDecision {
    NSwitchPath path;
    NSwitchDropReason drop_reason; /* when path is NSWITCH_PATH_DROP */
    uint32_t count;                /* ports to deliver to */
    /* Owned by the switch, valid until the next decision. */
    const uint32_t *ports;
} NSwitchDecision;

typedef struct NSwitch NSwitch;

/*
 * A switch with ports 0 .. @max_ports - 1 and a relay table of
 * @relay_entries MACs in at most @relay_groups OUI groups. Port
 * @uplink_port is the uplink and is attached from the start.
 * Returns NULL on a bad size.
 */
NSwitch *nswitch_new(uint32_t max_ports, uint32_t uplink_port,
                     uint32_t relay_entries, uint32_t relay_groups);
void nswitch_free(NSwitch *sw);

/*
 * Attaches a function port with @mac, which joins the relay group of its
 * OUI. Fails (and leaves the port detached) if the relay table refuses
 * the MAC.
 */
NSwitchRelayStatus nswitch_port_attach(NSwitch *sw, uint32_t port,
                                       NSwitchPortKind kind,
                                       const uint8_t mac[NSWITCH_MAC_LEN]);
/* Takes the port's MAC out of the relay table; counters are kept. */
void nswitch_port_detach(NSwitch *sw, uint32_t port);
/*
 * Moves an attached port to @mac (and so to the group of its OUI). On
 * failure the port keeps its old MAC. A detached port only records it.
 */
NSwitchRelayStatus nswitch_port_set_mac(NSwitch *sw, uint32_t port,
                                        const uint8_t mac[NSWITCH_MAC_LEN]);
void nswitch_port_set_spoof_check(NSwitch *sw, uint32_t port, bool on);

void nswitch_set_mode(NSwitch *sw, NSwitchMode mode);
NSwitchMode nswitch_mode(const NSwitch *sw);

/*
 * Caps what crosses the uplink, both directions together, at @rate_bps
 * (0: no cap), with a burst of 10 ms or one 64 KiB GSO frame.
 */
void nswitch_set_uplink_rate(NSwitch *sw, uint64_t rate_bps, uint64_t now_ns);

/*
 * Static relay entries: @mac reaches function port @port (and joins the
 * relay group of its OUI) whatever the port's own MAC, e.g. a guest that
 * bridges other MACs behind a VF. Frames for it while the port is
 * detached are dropped as port-down.
 */
NSwitchRelayStatus nswitch_add_static_entry(NSwitch *sw,
                                            const uint8_t mac[NSWITCH_MAC_LEN],
                                            uint32_t port);
/* Refuses a function's own MAC (NSWITCH_RELAY_OWN_MAC). */
NSwitchRelayStatus
nswitch_remove_static_entry(NSwitch *sw, const uint8_t mac[NSWITCH_MAC_LEN]);
/* Whether the relay entry @entry is a static one (not a port's own MAC). */
bool nswitch_entry_is_static(const NSwitch *sw, const NSwitchRelayEntry *entry);

/* Keeps the relay group of @oui while it has no member (a PF's group). */
NSwitchRelayStatus nswitch_pin_group(NSwitch *sw, uint32_t oui);
const NSwitchPortInfo *nswitch_port_info(const NSwitch *sw, uint32_t port);
uint32_t nswitch_port_count(const NSwitch *sw);
uint32_t nswitch_uplink_port(const NSwitch *sw);

/*
 * Decides where the Ethernet frame (@len bytes from the destination MAC
 * on) that arrived on @src_port at @now_ns goes, and counts the decision.
 */
NSwitchDecision nswitch_decide(NSwitch *sw, uint32_t src_port,
                               const uint8_t *frame, size_t len,
                               uint64_t now_ns);

/* The glue reports what happened when it delivered a decided frame. */
void nswitch_count_delivery(NSwitch *sw, uint32_t port, size_t len);
void nswitch_count_drop(NSwitch *sw, uint32_t port, NSwitchDropReason reason);

/* Detaches every function port and removes every static entry. */
void nswitch_flush(NSwitch *sw);

/* Zeroes every port and path counter (the relay table's stay). */
void nswitch_clear_counters(NSwitch *sw);

/* Puts back counters saved elsewhere (migration). */
void nswitch_restore_port_counters(NSwitch *sw, uint32_t port,
                                   const NSwitchPortCounters *counters);
void nswitch_restore_path_counters(NSwitch *sw,
                                   const NSwitchPathCounters *counters);

const NSwitchPathCounters *nswitch_path_counters(const NSwitch *sw);
const NSwitchRelayTable *nswitch_relay_table(const NSwitch *sw);

const char *nswitch_drop_reason_name(NSwitchDropReason reason);
const char *nswitch_path_name(NSwitchPath path);
const char *nswitch_port_kind_name(NSwitchPortKind kind);
const char *nswitch_mode_name(NSwitchMode mode);

#endif
