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
 * Per-port policy is what `ip link set DEV vf N ...` manages on a real
 * NIC: a pinned MAC, a port VLAN with its 802.1p priority (tag inserted on
 * frames from the port, stripped from frames to it, other VLANs refused),
 * spoof checking, trust (a trusted function may change a pinned MAC and
 * receives unknown unicast when promiscuous, and all multicast), link
 * state and a TX rate. An ACL and a mirror to a monitor port apply to
 * every frame the switch forwards.
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

#include "hw/net/nswitch/acl.h"
#include "hw/net/nswitch/frame.h"
#include "hw/net/nswitch/relay-table.h"
#include "hw/net/nswitch/token-bucket.h"

#define NSWITCH_VLAN_MAX 4094
#define NSWITCH_PRIORITY_MAX 7

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
    NSWITCH_PORT_CARD,           /* to the switches of the card's other ports */
} NSwitchPortKind;

/*
 * Every reason the switch counts a frame dropped, in counter order, as
 * Reason(ID, name): the enumerator NSWITCH_DROP_<ID> and its name, which
 * is also the member of the QAPI counters. A reason is added here, once:
 * the enum and nswitch_drop_reason_name() are made from this list. (The
 * parameter is CamelCase because checkpatch then takes the comma-separated
 * list for a declaration rather than an unparenthesised expression.)
 */
#define NSWITCH_DROP_REASONS(Reason) \
    /* shorter than an Ethernet header */ \
    Reason(RUNT, "runt"), \
    /* multicast or all-zero source MAC */ \
    Reason(BAD_SOURCE, "bad-source"), \
    /* source MAC is not the sending port's */ \
    Reason(SPOOFED, "spoofed"), \
    /* uplink unicast that no function owns */ \
    Reason(NO_DESTINATION, "no-destination"), \
    /* sent by a port that is not attached */ \
    Reason(PORT_DOWN, "port-down"), \
    /* unicast to the sender's own MAC */ \
    Reason(LOOPBACK, "loopback"), \
    /* the receiving function could not take it */ \
    Reason(RECEIVER_FULL, "receiver-full"), \
    /* GSO or checksum request not carried out */ \
    Reason(BAD_OFFLOAD, "bad-offload"), \
    /* over the uplink's speed */ \
    Reason(UPLINK_RATE, "uplink-rate"), \
    /* outside the port VLAN of its port, or tags stacked too deep */ \
    Reason(VLAN, "vlan"), \
    /* to a port whose link is down */ \
    Reason(LINK_DOWN, "link-down"), \
    /* an ACL rule said drop */ \
    Reason(ACL, "acl"), \
    /* the receiving guest's own RX filter */ \
    Reason(FILTERED, "filtered"), \
    /* the card's memory for held frames */ \
    Reason(BUFFER_FULL, "buffer-full"), \
    /* held when the VM stopped or migrated */ \
    Reason(MIGRATED, "migrated")

typedef enum NSwitchDropReason {
#define NSWITCH_DROP_ENUMERATOR(id, name) NSWITCH_DROP_##id
    NSWITCH_DROP_REASONS(NSWITCH_DROP_ENUMERATOR),
#undef NSWITCH_DROP_ENUMERATOR
    NSWITCH_DROP__MAX
} NSwitchDropReason;

typedef enum NSwitchPath {
    NSWITCH_PATH_DROP,
    NSWITCH_PATH_HAIRPIN,        /* Case 0: function to function */
    NSWITCH_PATH_TO_UPLINK,      /* Case 1, or unknown unicast in a group */
    NSWITCH_PATH_FROM_UPLINK,    /* Case 2: uplink to its owner */
    NSWITCH_PATH_FLOOD,          /* broadcast or multicast */
    NSWITCH_PATH_INTER_PORT,     /* to or from another port of the card */
} NSwitchPath;

typedef struct NSwitchPortCounters {
    uint64_t rx_frames;          /* taken from the port into the switch */
    uint64_t rx_bytes;
    uint64_t tx_frames;          /* delivered by the switch to the port */
    uint64_t tx_bytes;
    uint64_t dropped[NSWITCH_DROP__MAX];
} NSwitchPortCounters;

/*
 * Every frame taken from a port (rx_frames) is forwarded on one path or
 * dropped; a forwarded frame becomes one copy per destination, and
 * software segmentation may make one copy several frames. Each of those
 * is delivered (tx_frames), dropped, or still held by the card:
 *   sum(rx_frames) + replicas + segments
 *       == sum(tx_frames) + sum(dropped) + frames held
 */
typedef struct NSwitchPathCounters {
    uint64_t hairpinned;
    uint64_t to_uplink;
    uint64_t unknown_unicast;    /* nswitch mode: part of to_uplink */
    uint64_t from_uplink;
    uint64_t flooded;
    uint64_t inter_port;         /* relayed to or from another port's switch */
    uint64_t mirrored;           /* copies sent to the monitor port */
    uint64_t replicas;           /* copies beyond a frame's first */
    uint64_t segments;           /* frames segmentation added to a copy */
    uint64_t dropped[NSWITCH_DROP__MAX];
} NSwitchPathCounters;

/* What an administrator sets for a function port (none for the uplink). */
typedef struct NSwitchPortPolicy {
    bool spoof_check;            /* drop frames not from the port's MAC */
    bool trusted;
    bool mac_pinned;             /* the administrator chose the MAC */
    bool link_up;
    uint16_t vlan;               /* port VLAN, 0 for none */
    uint8_t qos;                 /* 802.1p priority of the inserted tag */
    uint64_t max_tx_rate_bps;    /* 0 for no limit */
} NSwitchPortPolicy;

typedef struct NSwitchPortInfo {
    NSwitchPortKind kind;
    bool attached;
    uint8_t mac[NSWITCH_MAC_LEN];  /* valid while attached (not for uplink) */
    NSwitchPortPolicy policy;
    NSwitchPortCounters counters;
} NSwitchPortInfo;

typedef enum NSwitchSelect {
    NSWITCH_SELECT_NONE,
    NSWITCH_SELECT_ALL,          /* every frame the switch forwards */
    NSWITCH_SELECT_PORT,         /* frames from or to one port */
    NSWITCH_SELECT_GROUP,        /* frames from or to MACs of one OUI */
} NSwitchSelect;

/* Which forwarded frames a mirror, or the glue's capture, takes. */
typedef struct NSwitchSelection {
    NSwitchSelect select;
    uint32_t port;               /* NSWITCH_SELECT_PORT */
    uint32_t oui;                /* NSWITCH_SELECT_GROUP */
} NSwitchSelection;

/*
 * Copies of forwarded frames go to the monitor port: those the source
 * selects and those an ACL rule with action mirror matches.
 */
typedef struct NSwitchMirror {
    NSwitchSelection selection;
    uint32_t monitor_port;       /* NSWITCH_RELAY_NONE: no monitor */
} NSwitchMirror;

/*
 * What the switch asks about a function's receive filter, which lives in
 * the function (a guest's virtio-net), only on the rare paths that need
 * it: unknown destinations and multicast to untrusted functions.
 */
typedef struct NSwitchRxModeOps {
    /* Whether the function asked for frames to any MAC. */
    bool (*promiscuous)(void *opaque, uint32_t port);
    /* Whether the function subscribed to the multicast group @mac. */
    bool (*subscribed)(void *opaque, uint32_t port, const uint8_t *mac);
} NSwitchRxModeOps;

typedef struct NSwitchDecision {
    NSwitchPath path;
    NSwitchDropReason drop_reason; /* when path is NSWITCH_PATH_DROP */
    uint32_t count;                /* ports to deliver to */
    /* Owned by the switch, valid until the next decision. */
    const uint32_t *ports;
    /*
     * The frame inside the card carries an 802.1Q tag with @tci after
     * its source MAC (the source port's VLAN); ports with a port VLAN
     * get frames with the tag stripped.
     */
    bool insert_tag;
    uint16_t tci;
    uint8_t priority;              /* 802.1p: 0 for untagged frames */
    uint32_t mirror_port;          /* gets a copy; NSWITCH_RELAY_NONE: no */
    uint32_t acl_rule;             /* id of the ACL rule that matched, or 0 */
    /*
     * NSWITCH_PATH_INTER_PORT to the card port: the switch of the other
     * port, which takes the frame on its own card port.
     */
    struct NSwitch *peer;
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
/*
 * A MAC the guest behind @port chose. Refused (NSWITCH_RELAY_PINNED) when
 * the administrator pinned the port's MAC and did not trust the port.
 */
NSwitchRelayStatus nswitch_port_request_mac(NSwitch *sw, uint32_t port,
                                            const uint8_t mac[NSWITCH_MAC_LEN]);
/* The administrator's MAC for @port: set as nswitch_port_set_mac, pinned. */
NSwitchRelayStatus nswitch_port_pin_mac(NSwitch *sw, uint32_t port,
                                        const uint8_t mac[NSWITCH_MAC_LEN]);

/* Policy setters; the uplink has no policy and ignores them. */
void nswitch_port_set_spoof_check(NSwitch *sw, uint32_t port, bool on);
void nswitch_port_set_trust(NSwitch *sw, uint32_t port, bool trusted);
void nswitch_port_set_link(NSwitch *sw, uint32_t port, bool up);
/* False (nothing changed) for @vlan above 4094 or @qos above 7. */
bool nswitch_port_set_vlan(NSwitch *sw, uint32_t port, uint16_t vlan,
                           uint8_t qos);
/* Caps what @port sends at @rate_bps (0: no cap), 10 ms or 64 KiB burst. */
void nswitch_port_set_tx_rate(NSwitch *sw, uint32_t port, uint64_t rate_bps,
                              uint64_t now_ns);
/*
 * Whether @port may send @len bytes at @now_ns under its TX rate; if so
 * they are taken, else @wait_ns says how long until they are there.
 */
bool nswitch_port_take_tx(NSwitch *sw, uint32_t port, size_t len,
                          uint64_t now_ns, uint64_t *wait_ns);
/* Back to the defaults: spoof check on, untrusted, link up, no VLAN... */
void nswitch_port_reset_policy(NSwitch *sw, uint32_t port);
/* Puts back a policy saved elsewhere (migration); false if malformed. */
bool nswitch_port_restore_policy(NSwitch *sw, uint32_t port,
                                 const NSwitchPortPolicy *policy,
                                 uint64_t now_ns);

/*
 * False when the monitor is not a function port or the selection is
 * malformed; a selection of NSWITCH_SELECT_NONE stops the mirror.
 */
bool nswitch_set_mirror(NSwitch *sw, const NSwitchMirror *mirror);
const NSwitchMirror *nswitch_mirror(const NSwitch *sw);

/* The ACL every forwarded frame meets, after the port VLAN is applied. */
NSwitchAcl *nswitch_acl(NSwitch *sw);

void nswitch_set_rx_mode_ops(NSwitch *sw, const NSwitchRxModeOps *ops,
                             void *opaque);

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

/*
 * A multi-port card (the paper's Design 2) has one switch per Ethernet
 * port, joined inside the card: each switch has a card port (a detached
 * port that is neither uplink nor function), and knows the other ports'
 * switches as peers, each with the OUI of its relay group. In nswitch
 * mode a function's unicast to a peer's OUI whose destination the peer
 * knows goes to the card port, and the glue hands it to the peer, which
 * takes it on its own card port and delivers it to that function only
 * (both count it inter-port). Broadcast domains stay per port: a flood
 * never crosses the card port. Unicast the peer does not know leaves by
 * the uplink, as it would between two cards.
 */
#define NSWITCH_MAX_PEERS 7

/* False (nothing changed) for the uplink, an attached port or out of range. */
bool nswitch_set_card_port(NSwitch *sw, uint32_t port);
/* The card port, or NSWITCH_RELAY_NONE for a switch that has none. */
uint32_t nswitch_card_port(const NSwitch *sw);
/*
 * Makes @peer, whose relay group is @oui, a peer (or updates its OUI).
 * False when either switch has no card port, @peer is @sw, or
 * NSWITCH_MAX_PEERS are known. One way: the peer links back itself.
 */
bool nswitch_link_peer(NSwitch *sw, NSwitch *peer, uint32_t oui);
void nswitch_unlink_peer(NSwitch *sw, NSwitch *peer);
/* Whether frames go to peers inside the card (default) or by the uplink. */
void nswitch_set_inter_port_relay(NSwitch *sw, bool on);
bool nswitch_inter_port_relay(const NSwitch *sw);

/* Keeps the relay group of @oui while it has no member (a PF's group). */
NSwitchRelayStatus nswitch_pin_group(NSwitch *sw, uint32_t oui);
const NSwitchPortInfo *nswitch_port_info(const NSwitch *sw, uint32_t port);
uint32_t nswitch_port_count(const NSwitch *sw);
uint32_t nswitch_uplink_port(const NSwitch *sw);

/*
 * Decides where the Ethernet frame (@len bytes from the destination MAC
 * on, of which @frame holds the first NSWITCH_L2_HEADER_MAX or all) that
 * arrived on @src_port at @now_ns goes, and counts the decision.
 */
NSwitchDecision nswitch_decide(NSwitch *sw, uint32_t src_port,
                               const uint8_t *frame, size_t len,
                               uint64_t now_ns);

/*
 * A frame of @len bytes from @src_port that the glue refused before any
 * decision (its offload request cannot be carried out): counted as
 * taken from the port and dropped for @reason.
 */
void nswitch_refuse(NSwitch *sw, uint32_t src_port, size_t len,
                    NSwitchDropReason reason);

/*
 * Whether @selection takes the frame (@frame from its destination MAC on)
 * that @src_port sent and the switch forwarded as @decision says, its
 * mirror copy included.
 */
bool nswitch_selection_takes(const NSwitchSelection *selection,
                             uint32_t src_port, const uint8_t *frame,
                             const NSwitchDecision *decision);

/*
 * The glue reports what became of each copy it was given: delivered,
 * dropped, or made @extra more frames by software segmentation.
 */
void nswitch_count_delivery(NSwitch *sw, uint32_t port, size_t len);
void nswitch_count_drop(NSwitch *sw, uint32_t port, NSwitchDropReason reason);
void nswitch_count_segments(NSwitch *sw, uint32_t extra);

/*
 * Detaches every function port and removes every static entry; policies
 * and ACL stay.
 */
void nswitch_flush(NSwitch *sw);

/* Zeroes every port, path and ACL hit counter (the relay table's stay). */
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
