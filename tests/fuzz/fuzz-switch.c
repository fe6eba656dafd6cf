/*
 * libFuzzer target for the nswitch core
 *
 * The input builds a switch (ports, mode, relay table, uplink speed) and
 * then drives it through the public API: attaching, detaching and moving
 * functions, policies, static entries, ACL rules, the mirror, restores
 * as a migration stream would bring them, and frames of any shape, whose
 * copies the fuzzer delivers, drops or holds as the glue would. After
 * every step it checks what the API promises:
 *  - counters add up: every frame taken is delivered, dropped or held;
 *  - a frame never goes back to its sender, nor twice to one port;
 *  - in nswitch mode a function's frame reaches other functions of its
 *    relay group only (a spoof-checked sender), the uplink otherwise;
 *  - a function with a port VLAN gets only frames of its VLAN;
 *  - a spoof-checked function's frames carry its own source MAC;
 *  - a pinned MAC holds against an untrusted guest;
 *  - offload requests the check accepts lie inside the frame's head;
 *  - on a card of two ports, only unicast to a function the other port
 *    knows goes to the card port, and the other port's switch delivers
 *    it to that function alone: floods never cross.
 * Any failure aborts, which libFuzzer reports with the input.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/net/nswitch/capture-ring.h"
#include "hw/net/nswitch/frame.h"
#include "hw/net/nswitch/switch.h"
#include "fuzz-target.h"

#define MAX_PORTS 12
#define MAX_PENDING 32
#define FRAME_MAX 96

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, \
                    __FILE__, __LINE__); \
            abort(); \
        } \
    } while (0)

/* The bytes the fuzzer hands out, zeroes once they run out. */
typedef struct Input {
    const uint8_t *data;
    size_t left;
} Input;

static uint8_t take(Input *in)
{
    if (!in->left) {
        return 0;
    }
    in->left--;
    return *in->data++;
}

static uint16_t take16(Input *in)
{
    return take(in) << 8 | take(in);
}

/* A copy the glue still holds for its receiver. */
typedef struct Pending {
    uint32_t port;
    size_t len;
} Pending;

/* The card's other port: a PF and one VF of PEER_OUI, fixed. */
#define PEER_OUI 0x026e01
#define PEER_PORTS 4
#define PEER_CARD_PORT 3

typedef struct Fuzz {
    Input in;
    NSwitch *sw;
    NSwitch *peer;               /* NULL: a card of one port */
    uint32_t card_port;
    uint32_t ports;
    uint64_t now;
    Pending pending[MAX_PENDING];
    uint32_t pending_count;
} Fuzz;

static const uint32_t ouis[] = { 0x026e00, 0x026e01, 0x525400 };

/* A MAC of a small pool, so that frames meet the MACs the table holds. */
static void pool_mac(Input *in, uint8_t mac[NSWITCH_MAC_LEN])
{
    uint8_t pick = take(in);
    uint32_t oui = ouis[pick % 3];

    mac[0] = oui >> 16;
    mac[1] = oui >> 8;
    mac[2] = oui;
    mac[3] = 0;
    mac[4] = 0;
    mac[5] = (pick >> 2) & 7;
    switch (pick >> 5) {
    case 6:
        memset(mac, 0xff, NSWITCH_MAC_LEN);          /* broadcast */
        break;
    case 7:
        mac[0] = 0x01;                               /* multicast */
        break;
    }
}

static uint32_t pick_port(Fuzz *f)
{
    return take(&f->in) % f->ports;
}

static uint64_t sum_drops(const uint64_t *dropped)
{
    uint64_t sum = 0;

    for (int r = 0; r < NSWITCH_DROP__MAX; r++) {
        sum += dropped[r];
    }
    return sum;
}

static void check_switch_counters(NSwitch *sw, uint32_t ports,
                                  uint32_t pending)
{
    const NSwitchPathCounters *paths = nswitch_path_counters(sw);
    uint64_t rx = 0, tx = 0, port_drops = 0;

    for (uint32_t p = 0; p < ports; p++) {
        const NSwitchPortCounters *c = &nswitch_port_info(sw, p)->counters;

        rx += c->rx_frames;
        tx += c->tx_frames;
        port_drops += sum_drops(c->dropped);
    }
    CHECK(port_drops == sum_drops(paths->dropped));
    CHECK(rx + paths->replicas + paths->segments ==
          tx + sum_drops(paths->dropped) + pending);
    CHECK(paths->unknown_unicast <= paths->to_uplink);
}

static void check_counters(Fuzz *f)
{
    check_switch_counters(f->sw, f->ports, f->pending_count);
    if (f->peer) {
        check_switch_counters(f->peer, PEER_PORTS, 0);
    }
}

/* What the glue does with a copy: deliver, drop, hold or segment. */
static void resolve(Fuzz *f, uint32_t port, size_t len)
{
    uint8_t how = take(&f->in) % 8;

    if (how == 5 && f->pending_count < MAX_PENDING) {
        f->pending[f->pending_count++] = (Pending) { port, len };
        return;
    }
    if (how == 6) {
        uint32_t extra = take(&f->in) % 4;

        nswitch_count_segments(f->sw, extra);
        for (uint32_t i = 0; i <= extra; i++) {
            nswitch_count_delivery(f->sw, port, len);
        }
        return;
    }
    if (how == 7) {
        nswitch_count_drop(f->sw, port, take(&f->in) % NSWITCH_DROP__MAX);
        return;
    }
    nswitch_count_delivery(f->sw, port, len);
}

static void settle_pending(Fuzz *f)
{
    if (f->pending_count) {
        uint32_t i = take(&f->in) % f->pending_count;
        Pending copy = f->pending[i];

        f->pending[i] = f->pending[--f->pending_count];
        resolve(f, copy.port, copy.len);
    }
}

static bool port_has_entry_in(NSwitch *sw, uint32_t port, uint32_t oui)
{
    const NSwitchRelayTable *relay = nswitch_relay_table(sw);

    for (uint32_t i = 0; i < nswitch_relay_table_count(relay); i++) {
        const NSwitchRelayEntry *entry = nswitch_relay_table_entry(relay, i);

        if (entry->port == port && nswitch_relay_oui_of(entry->mac) == oui) {
            return true;
        }
    }
    return false;
}

static const NSwitchRelayEntry *entry_of(NSwitch *sw, const uint8_t *mac)
{
    const NSwitchRelayTable *relay = nswitch_relay_table(sw);

    for (uint32_t i = 0; i < nswitch_relay_table_count(relay); i++) {
        const NSwitchRelayEntry *entry = nswitch_relay_table_entry(relay, i);

        if (!memcmp(entry->mac, mac, NSWITCH_MAC_LEN)) {
            return entry;
        }
    }
    return NULL;
}

/* A frame: MACs, up to five tags, an ethertype, any length. */
static size_t build_frame(Fuzz *f, uint32_t src, uint8_t *frame)
{
    size_t at = 12, len;
    uint8_t shape = take(&f->in);
    int tags = shape % 6;

    memset(frame, 0, FRAME_MAX);
    pool_mac(&f->in, frame);
    if (shape & 0x80 && src != nswitch_uplink_port(f->sw)) {
        memcpy(frame + 6, nswitch_port_info(f->sw, src)->mac, 6);
    } else {
        pool_mac(&f->in, frame + 6);
    }
    for (int i = 0; i < tags; i++) {
        static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100, 0x8100 };
        uint16_t tpid = tpids[take(&f->in) % 4];
        uint16_t tci = take16(&f->in) & 0xe007;

        frame[at] = tpid >> 8;
        frame[at + 1] = tpid;
        frame[at + 2] = tci >> 8;
        frame[at + 3] = tci;
        at += 4;
    }
    frame[at] = take(&f->in) & 1 ? 0x08 : 0x88;
    frame[at + 1] = take(&f->in);
    len = take(&f->in) % FRAME_MAX;
    return len > (shape & 0x40 ? 0 : 60) ? len : (shape & 0x40 ? len : 60);
}

static bool vlan_matches(const NSwitchPortPolicy *dst,
                         const NSwitchL2Header *l2, const NSwitchDecision *d)
{
    if (!dst->vlan) {
        return true;
    }
    if (d->insert_tag) {
        return (d->tci & 0xfff) == dst->vlan;
    }
    return l2->outer_tpid == NSWITCH_ETHERTYPE_VLAN && l2->vlan == dst->vlan;
}

/*
 * What the glue does with a copy for the card port: the other port's
 * switch takes it at once (the frame as it is inside the card, with the
 * sender's port VLAN tag), or it is dropped there, that switch busy.
 */
static void relay_to_peer(Fuzz *f, const NSwitchDecision *d,
                          const uint8_t *frame, size_t len)
{
    uint8_t inside[FRAME_MAX + NSWITCH_VLAN_TAG_LEN];
    const NSwitchRelayEntry *owner = entry_of(f->peer, frame);
    NSwitchDecision there;

    CHECK(d->peer == f->peer && owner);
    if (take(&f->in) % 8 == 7) {
        nswitch_count_drop(f->sw, f->card_port, NSWITCH_DROP_RECEIVER_FULL);
        return;
    }
    nswitch_count_delivery(f->sw, f->card_port, len);
    memcpy(inside, frame, 12);
    if (d->insert_tag) {
        inside[12] = 0x81;
        inside[13] = 0x00;
        inside[14] = d->tci >> 8;
        inside[15] = d->tci;
        memcpy(inside + 16, frame + 12, len - 12);
        len += NSWITCH_VLAN_TAG_LEN;
    } else {
        memcpy(inside + 12, frame + 12, len - 12);
    }
    there = nswitch_decide(f->peer, PEER_CARD_PORT, inside, len, f->now);
    if (there.path == NSWITCH_PATH_DROP) {
        return;
    }
    CHECK(there.path == NSWITCH_PATH_INTER_PORT && there.count == 1 &&
          there.ports[0] == owner->port && !there.peer);
    nswitch_count_delivery(f->peer, there.ports[0], len);
}

static void send_frame(Fuzz *f)
{
    uint32_t src = pick_port(f);
    uint32_t uplink = nswitch_uplink_port(f->sw);
    const NSwitchPortInfo *info = nswitch_port_info(f->sw, src);
    NSwitchPortPolicy policy = info->policy;
    uint8_t own_mac[NSWITCH_MAC_LEN];
    bool attached = info->attached;
    uint8_t frame[FRAME_MAX];
    size_t len = build_frame(f, src, frame);
    NSwitchL2Header l2;
    NSwitchDecision d;
    bool forwarded;

    memcpy(own_mac, info->mac, NSWITCH_MAC_LEN);
    f->now += take(&f->in) * 100000ull;
    d = nswitch_decide(f->sw, src, frame, len, f->now);
    forwarded = d.path != NSWITCH_PATH_DROP;
    CHECK(!forwarded || d.count || d.mirror_port != NSWITCH_RELAY_NONE ||
          d.path == NSWITCH_PATH_FLOOD);
    if (!forwarded) {
        CHECK(d.count == 0);
        check_counters(f);
        return;
    }
    CHECK(attached);
    CHECK(nswitch_parse_l2(frame, len, len, &l2) == NSWITCH_L2_OK);
    if (src != uplink && policy.spoof_check) {
        CHECK(!memcmp(frame + 6, own_mac, NSWITCH_MAC_LEN));
    }
    if (src != uplink && policy.vlan) {
        CHECK(l2.tags == 0 && d.insert_tag &&
              (d.tci & 0xfff) == policy.vlan);
    }
    if (d.path == NSWITCH_PATH_INTER_PORT && src != f->card_port) {
        CHECK(d.count == 1 && d.ports[0] == f->card_port &&
              nswitch_mode(f->sw) == NSWITCH_MODE_NSWITCH &&
              nswitch_relay_oui_of(frame) == PEER_OUI);
    }
    for (uint32_t i = 0; i < d.count; i++) {
        uint32_t dst = d.ports[i];
        const NSwitchPortInfo *to;

        CHECK(dst < f->ports && dst != src && dst != d.mirror_port);
        for (uint32_t j = i + 1; j < d.count; j++) {
            CHECK(d.ports[j] != dst);
        }
        if (dst == f->card_port) {
            CHECK(d.path == NSWITCH_PATH_INTER_PORT && d.count == 1);
            continue;
        }
        if (dst == uplink) {
            continue;
        }
        to = nswitch_port_info(f->sw, dst);
        CHECK(to->attached && to->policy.link_up);
        CHECK(vlan_matches(&to->policy, &l2, &d));
        if (d.path == NSWITCH_PATH_FLOOD) {
            /* not to the owner of its source MAC */
            CHECK(memcmp(frame + 6, to->mac, NSWITCH_MAC_LEN));
        }
        if (src != uplink && policy.spoof_check &&
            nswitch_mode(f->sw) == NSWITCH_MODE_NSWITCH) {
            CHECK(port_has_entry_in(f->sw, dst, nswitch_relay_oui_of(own_mac)));
        }
        if (nswitch_mode(f->sw) == NSWITCH_MODE_VEPA) {
            /* (a card port takes only what a peer in nswitch mode sends) */
            CHECK(src == uplink || src == f->card_port);
        }
    }
    if (d.mirror_port != NSWITCH_RELAY_NONE) {
        CHECK(d.mirror_port != src && d.mirror_port < f->ports &&
              d.mirror_port != f->card_port);
        resolve(f, d.mirror_port, len);
    }
    for (uint32_t i = 0; i < d.count; i++) {
        if (d.ports[i] == f->card_port) {
            relay_to_peer(f, &d, frame, len);
            continue;
        }
        resolve(f, d.ports[i], len);
    }
    check_counters(f);
}

static void change_mac(Fuzz *f)
{
    uint32_t port = pick_port(f);
    uint8_t mac[NSWITCH_MAC_LEN], before[NSWITCH_MAC_LEN];
    const NSwitchPortInfo *info = nswitch_port_info(f->sw, port);
    NSwitchPortPolicy policy = info->policy;
    NSwitchRelayStatus status;

    pool_mac(&f->in, mac);
    memcpy(before, info->mac, NSWITCH_MAC_LEN);
    switch (take(&f->in) % 4) {
    case 0:
        nswitch_port_attach(f->sw, port, take(&f->in) & 1 ? NSWITCH_PORT_PF
                                                          : NSWITCH_PORT_VF,
                            mac);
        break;
    case 1:
        nswitch_port_detach(f->sw, port);
        break;
    case 2:
        status = nswitch_port_request_mac(f->sw, port, mac);
        if (port != nswitch_uplink_port(f->sw) && policy.mac_pinned &&
            !policy.trusted && memcmp(before, mac, NSWITCH_MAC_LEN)) {
            CHECK(status == NSWITCH_RELAY_PINNED);
            CHECK(!memcmp(info->mac, before, NSWITCH_MAC_LEN));
        }
        break;
    case 3:
        nswitch_port_pin_mac(f->sw, port, mac);
        break;
    }
}

static void change_policy(Fuzz *f)
{
    uint32_t port = pick_port(f);
    uint8_t what = take(&f->in);
    NSwitchPortPolicy policy;

    switch (what % 8) {
    case 0:
        nswitch_port_set_spoof_check(f->sw, port, what & 0x10);
        break;
    case 1:
        nswitch_port_set_trust(f->sw, port, what & 0x10);
        break;
    case 2:
        nswitch_port_set_link(f->sw, port, what & 0x10);
        break;
    case 3:
        nswitch_port_set_vlan(f->sw, port, take(&f->in) % 4,
                              take(&f->in) % 9);
        break;
    case 4:
        nswitch_port_set_tx_rate(f->sw, port, take(&f->in) * 100000ull,
                                 f->now);
        break;
    case 5: {
        uint64_t wait;
        size_t len = take16(&f->in);

        if (!nswitch_port_take_tx(f->sw, port, len, f->now, &wait)) {
            /* the wait it gives is enough */
            CHECK(nswitch_port_take_tx(f->sw, port, len, f->now + wait,
                                       &wait));
        }
        break;
    }
    case 6:
        policy = (NSwitchPortPolicy) {
            .spoof_check = what & 0x10, .trusted = what & 0x20,
            .mac_pinned = what & 0x40, .link_up = what & 0x80,
            .vlan = take16(&f->in) % 4100, .qos = take(&f->in) % 9,
            .max_tx_rate_bps = take16(&f->in) * 1000ull,
        };
        nswitch_port_restore_policy(f->sw, port, &policy, f->now);
        break;
    case 7:
        nswitch_port_reset_policy(f->sw, port);
        break;
    }
}

static void change_tables(Fuzz *f)
{
    uint8_t what = take(&f->in);
    uint8_t mac[NSWITCH_MAC_LEN];
    NSwitchAclMatch match = { 0 };
    NSwitchAclRule rule = { 0 };
    NSwitchMirror mirror = { 0 };

    pool_mac(&f->in, mac);
    switch (what % 8) {
    case 0:
        nswitch_add_static_entry(f->sw, mac, pick_port(f));
        break;
    case 1:
        nswitch_remove_static_entry(f->sw, mac);
        break;
    case 2:
    case 3:
        if (what & 0x10) {
            memcpy(match.src, mac, 3);
            memset(match.src_mask, 0xff, 3);
        }
        if (what & 0x20) {
            pool_mac(&f->in, match.dst);
            memset(match.dst_mask, 0xff, NSWITCH_MAC_LEN);
        }
        match.match_vlan = what & 0x40;
        match.vlan = take(&f->in) % 4;
        match.match_ethertype = what & 0x80;
        match.ethertype = 0x0800 | take(&f->in) % 8;
        if (what % 8 == 2) {
            nswitch_acl_add(nswitch_acl(f->sw), &match, take(&f->in) % 4,
                            take(&f->in) % 8, NULL);
        } else {
            rule = (NSwitchAclRule) {
                .id = take(&f->in) & 1 ? UINT32_MAX - take(&f->in) % 4
                                       : take(&f->in) % 8,
                .match = match, .action = take(&f->in) % 4,
            };
            nswitch_acl_restore(nswitch_acl(f->sw), &rule);
        }
        break;
    case 4: {
        NSwitchAcl *acl = nswitch_acl(f->sw);

        if (nswitch_acl_count(acl)) {
            nswitch_acl_remove(acl, nswitch_acl_rule(acl, take(&f->in) %
                                   nswitch_acl_count(acl))->id);
        }
        for (uint32_t i = 0; i < nswitch_acl_count(acl); i++) {
            CHECK(nswitch_acl_rule(acl, i)->id != 0);
            for (uint32_t j = i + 1; j < nswitch_acl_count(acl); j++) {
                CHECK(nswitch_acl_rule(acl, i)->id !=
                      nswitch_acl_rule(acl, j)->id);
            }
        }
        break;
    }
    case 5:
        mirror.selection.select = take(&f->in) % 5;
        mirror.selection.port = take(&f->in) % (f->ports + 2);
        mirror.selection.oui = ouis[take(&f->in) % 3];
        mirror.monitor_port = take(&f->in) % (f->ports + 2);
        nswitch_set_mirror(f->sw, &mirror);
        break;
    case 6:
        nswitch_set_uplink_rate(f->sw, take(&f->in) * 1000000ull, f->now);
        break;
    case 7:
        if (what & 0x10) {
            nswitch_flush(f->sw);
        } else {
            nswitch_set_mode(f->sw, take(&f->in) % NSWITCH_MODE__MAX);
        }
        break;
    }
}

/* Any bytes as an offload request on any head. */
static void check_offload(Fuzz *f)
{
    uint8_t head[NSWITCH_FRAME_HEAD_LEN];
    NSwitchOffload req = {
        .flags = take(&f->in), .gso_type = take(&f->in),
        .hdr_len = take16(&f->in), .gso_size = take16(&f->in),
        .csum_start = take(&f->in), .csum_offset = take(&f->in) % 32,
    };
    size_t head_len = take(&f->in);
    size_t len = head_len + (take(&f->in) & 1 ? take16(&f->in) : 0);

    for (size_t i = 0; i < sizeof(head); i++) {
        head[i] = take(&f->in);
    }
    if (take(&f->in) & 1) {
        /* an IPv4 TCP frame, so that the checks get past the L3 */
        head[12] = 0x08;
        head[13] = 0x00;
        head[14] = 0x45;
        head[23] = 6;
        head[20] = head[21] = 0;
        head[14 + 20 + 12] = 0x50;
    }
    if (!nswitch_offload_check(&req, head, head_len, len)) {
        return;
    }
    CHECK(!(req.flags & ~(NSWITCH_OFFLOAD_NEEDS_CSUM |
                          NSWITCH_OFFLOAD_DATA_VALID)));
    if (req.gso_type != NSWITCH_GSO_NONE) {
        uint8_t type = req.gso_type & ~NSWITCH_GSO_ECN;

        CHECK(type == NSWITCH_GSO_TCPV4 || type == NSWITCH_GSO_TCPV6);
        CHECK(req.gso_size && req.hdr_len < len && req.hdr_len <= head_len);
        CHECK(req.csum_start + req.csum_offset + 2u <= req.hdr_len);
    } else if (req.flags & NSWITCH_OFFLOAD_NEEDS_CSUM) {
        CHECK(req.csum_start + req.csum_offset + 2u <= head_len &&
              req.csum_start + req.csum_offset + 2u <= len);
    }
}

/* The capture ring: bytes come out as they went in, records counted. */
static void check_capture_ring(Fuzz *f)
{
    NSwitchCaptureRing *ring = nswitch_capture_ring_new(1 + take(&f->in),
                                                        1 + take(&f->in) % 8);
    uint8_t in[256], out[512];
    size_t put = 0, got = 0;
    uint32_t records = 0, read = 0;

    for (int step = 0; step < 16; step++) {
        size_t len = take(&f->in) % 64;
        const uint8_t *data;
        size_t n;

        for (size_t i = 0; i < len; i++) {
            in[i] = put + i;
        }
        if (nswitch_capture_ring_put(ring, in, len)) {
            put += len;
            records++;
        }
        n = nswitch_capture_ring_peek(ring, &data);
        n = n ? take(&f->in) % (n + 1) : 0;
        for (size_t i = 0; i < n; i++) {
            CHECK(data[i] == (uint8_t)(got + i));
        }
        read += nswitch_capture_ring_consume(ring, n);
        got += n;
        CHECK(nswitch_capture_ring_used(ring) == put - got);
        CHECK(read <= records);
    }
    (void)out;
    nswitch_capture_ring_free(ring);
}

static NSwitch *peer_new(void)
{
    NSwitch *peer = nswitch_new(PEER_PORTS, 0, 8, 2);
    uint8_t mac[NSWITCH_MAC_LEN] = {
        PEER_OUI >> 16, (PEER_OUI >> 8) & 0xff, PEER_OUI & 0xff, 0, 0, 0
    };

    CHECK(peer && nswitch_set_card_port(peer, PEER_CARD_PORT));
    CHECK(nswitch_port_attach(peer, 1, NSWITCH_PORT_PF, mac) ==
          NSWITCH_RELAY_OK);
    mac[5] = 1;
    CHECK(nswitch_port_attach(peer, 2, NSWITCH_PORT_VF, mac) ==
          NSWITCH_RELAY_OK);
    return peer;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz f = { .in = { data, size } };
    uint8_t setup = take(&f.in);
    uint8_t mac[NSWITCH_MAC_LEN];

    f.ports = 3 + setup % (MAX_PORTS - 2);
    f.sw = nswitch_new(f.ports, 0, 4 + take(&f.in) % 32,
                       1 + take(&f.in) % 4);
    CHECK(f.sw);
    nswitch_set_mode(f.sw, (setup >> 4) % NSWITCH_MODE__MAX);
    nswitch_pin_group(f.sw, ouis[0]);
    f.card_port = NSWITCH_RELAY_NONE;
    if (setup & 0x08 && f.ports >= 4) {
        f.card_port = f.ports - 1;
        f.peer = peer_new();
        CHECK(nswitch_set_card_port(f.sw, f.card_port));
        CHECK(nswitch_link_peer(f.sw, f.peer, PEER_OUI));
        CHECK(nswitch_link_peer(f.peer, f.sw, ouis[0]));
    }
    /* the card's own layout: a PF and VFs of the PF's OUI */
    for (uint32_t p = 1; p < f.ports && p != f.card_port; p++) {
        mac[0] = 0x02;
        mac[1] = 0x6e;
        mac[2] = 0x00;
        mac[3] = 0;
        mac[4] = 0;
        mac[5] = p - 1;
        nswitch_port_attach(f.sw, p, p == 1 ? NSWITCH_PORT_PF
                                            : NSWITCH_PORT_VF, mac);
    }
    while (f.in.left) {
        switch (take(&f.in) % 10) {
        case 0:
        case 1:
        case 2:
        case 3:
            send_frame(&f);
            break;
        case 4:
            change_mac(&f);
            break;
        case 5:
            change_policy(&f);
            break;
        case 6:
            change_tables(&f);
            break;
        case 7:
            settle_pending(&f);
            break;
        case 8:
            check_offload(&f);
            break;
        case 9:
            check_capture_ring(&f);
            break;
        }
        check_counters(&f);
    }
    while (f.pending_count) {
        f.in.left = 0;
        settle_pending(&f);
    }
    check_counters(&f);
    nswitch_free(f.sw);
    nswitch_free(f.peer);
    return 0;
}
