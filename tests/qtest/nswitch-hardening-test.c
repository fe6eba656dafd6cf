/*
 * nswitch-nic qtests: what an untrusted guest can put in its rings and
 * virtio-net headers, and what a synchronous uplink does to the datapath.
 * Each test is the regression test of a defect that crashed QEMU, leaked
 * its memory to a guest or broke an isolation rule.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "nswitch/card.h"
#include "nswitch/frames.h"

/*
 * A TSO request the card cannot carry out: QEMU must drop it, count it
 * and go on (it used to abort in software segmentation).
 */
static void assert_tso_request_dropped(uint8_t gso_type, bool ipv6)
{
    struct virtio_net_hdr hdr = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .gso_type = gso_type,
        .gso_size = 100,
    };
    uint8_t frame[600];
    size_t len;
    Card c;

    card_start(&c, ",vfs=2", 2);
    len = ipv6 ? tcp6_frame(frame, c.mac[1], c.mac[0], 400, 1)
               : tcp4_frame(frame, c.mac[1], c.mac[0], 400, 1);
    hdr.hdr_len = len - 400;
    hdr.csum_start = len - 400 - TCP_HEADER_LEN;
    hdr.csum_offset = 16;
    post_rx_buffer(&c.vf[1]);
    vf_send_from(&c.vf[0], BIG_FRAME_AREA, &hdr, frame, len);
    wait_for_counter(c.qts, PATHS, "dropped.bad-offload", 1);
    g_assert_true(queue_used_nothing(&c.vf[1], RX_QUEUE));
    g_assert_cmpint(card_counter(c.qts, VF_PORT(1), "tx-frames"), ==, 0);

    /* and the card still switches */
    make_frame(frame, c.mac[1], c.mac[0], 0x42);
    vf_send(&c.vf[0], frame, 60);
    g_assert_cmpuint(wait_for_used(&c.vf[1], RX_QUEUE), ==, VNET_HDR_LEN + 60);
    card_stop(&c);
}

static void test_gso_udp_l4_is_dropped(void)
{
    assert_tso_request_dropped(5, false);
}

static void test_gso_type_2_is_dropped(void)
{
    assert_tso_request_dropped(2, false);
}

static void test_gso_type_0x7f_is_dropped(void)
{
    assert_tso_request_dropped(0x7f, false);
}

static void test_gso_tcpv6_on_ipv4_frame_is_dropped(void)
{
    assert_tso_request_dropped(VIRTIO_NET_HDR_GSO_TCPV6 |
                               VIRTIO_NET_HDR_GSO_ECN, false);
}

static void test_gso_tcpv4_on_ipv6_frame_is_dropped(void)
{
    assert_tso_request_dropped(VIRTIO_NET_HDR_GSO_TCPV4, true);
}

/*
 * A TSO frame whose hdr_len hint is wrong: the card takes the header
 * length from the frame, so the receiver gets correct segments whatever
 * the hint (it used to crash below the L2+L3 length and overwrite the
 * heap above it).
 */
static void assert_tso_segmented_despite_hint(uint16_t hdr_len_hint)
{
    const size_t payload = 300;
    struct virtio_net_hdr hdr = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
        .gso_size = 200,
        .hdr_len = hdr_len_hint,
        .csum_start = ETH_HEADER_LEN + IPV4_HEADER_LEN,
        .csum_offset = 16,
    };
    uint8_t frame[600], segment[VNET_HDR_LEN + 600];
    size_t len;
    uint32_t used;
    Card c;

    card_start(&c, ",vfs=2", 2);
    len = tcp4_frame(frame, c.mac[1], c.mac[0], payload, 7);
    post_rx_buffer(&c.vf[1]);
    vf_send_from(&c.vf[0], BIG_FRAME_AREA, &hdr, frame, len);

    /* the first segment carries gso_size bytes of payload */
    used = wait_for_used(&c.vf[1], RX_QUEUE);
    g_assert_cmpuint(used, ==, VNET_HDR_LEN + 54 + 200);
    qtest_memread(c.qts, c.vf[1].buffers, segment, used);
    assert_tcp4_segment(segment + VNET_HDR_LEN, used - VNET_HDR_LEN, frame,
                        0, 200);
    post_rx_buffer(&c.vf[1]);
    used = wait_for_used(&c.vf[1], RX_QUEUE);
    g_assert_cmpuint(used, ==, VNET_HDR_LEN + 54 + 100);
    qtest_memread(c.qts, c.vf[1].buffers, segment, used);
    assert_tcp4_segment(segment + VNET_HDR_LEN, used - VNET_HDR_LEN, frame,
                        200, 100);
    g_assert_cmpint(card_counter(c.qts, PATHS, "dropped.bad-offload"), ==, 0);
    card_stop(&c);
}

static void test_tso_hdr_len_at_l3_end(void)
{
    assert_tso_segmented_despite_hint(34);
}

static void test_tso_hdr_len_below_l3_end(void)
{
    assert_tso_segmented_despite_hint(20);
}

static void test_tso_hdr_len_inside_tcp_header(void)
{
    assert_tso_segmented_despite_hint(40);
}

static void test_tso_hdr_len_zero(void)
{
    assert_tso_segmented_despite_hint(0);
}

/* A TSO frame whose TCP header does not fit in the frame is dropped. */
static void test_tso_truncated_tcp_header_is_dropped(void)
{
    struct virtio_net_hdr hdr = {
        .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 100,
    };
    uint8_t frame[600];
    Card c;

    card_start(&c, ",vfs=2", 2);
    tcp4_frame(frame, c.mac[1], c.mac[0], 0, 1);
    post_rx_buffer(&c.vf[1]);
    vf_send_from(&c.vf[0], BIG_FRAME_AREA, &hdr, frame,
                 ETH_HEADER_LEN + IPV4_HEADER_LEN + 10);
    wait_for_counter(c.qts, PATHS, "dropped.bad-offload", 1);
    g_assert_true(queue_used_nothing(&c.vf[1], RX_QUEUE));
    card_stop(&c);
}

/*
 * The guest may rewrite a frame while the card delivers it: here another
 * VF's receive buffer overlaps the sender's transmit buffer, so the first
 * delivery of a broadcast rewrites the sender's bytes before the uplink
 * gets its copy. The uplink must get exactly the frame the switch
 * checked, with the sender's own source MAC.
 */
static void test_uplink_gets_the_bytes_the_switch_checked(void)
{
    const uint64_t tx = BIG_FRAME_AREA;
    uint8_t frame[60], on_uplink[128];
    static const struct virtio_net_hdr no_offload;
    Card c;

    card_start(&c, ",vfs=2", 2);
    /* VF1's buffer starts 6 bytes before the sender's frame */
    queue_buffer(&c.vf[1], RX_QUEUE, tx + VNET_HDR_LEN - 6, 2048, true);
    make_frame(frame, broadcast_mac, c.mac[0], 0x3c);
    vf_send_from(&c.vf[0], tx, &no_offload, frame, sizeof(frame));
    g_assert_cmpuint(wait_for_used(&c.vf[1], RX_QUEUE), ==, VNET_HDR_LEN + 60);
    g_assert_cmpuint(uplink_receive(c.uplink_fd, on_uplink, sizeof(on_uplink),
                                    5000), ==, sizeof(frame));
    g_assert_cmpmem(on_uplink, sizeof(frame), frame, sizeof(frame));
    card_stop(&c);
}

/*
 * slirp answers ARP inside the card's send to the uplink: the answer must
 * not be forwarded while the request is still being delivered. The
 * monitor VF, in another group, gets a mirror copy of each, exactly.
 */
static void test_synchronous_uplink_answer_waits_its_turn(void)
{
    QTestState *qts = qtest_init(MACHINE_ARGS " -netdev user,id=uplink "
                                 "-device nswitch-nic,bus=rp0,id=card0,"
                                 "netdev=uplink,vfs=2");
    uint8_t request[60], copy[2048];
    bool saw_request = false, saw_reply = false;
    Card c;

    prepare_machine(qts);
    card_drive(&c, qts, 2);
    qtest_qmp_assert_success(qts, "{'execute': 'nswitch-vf-set', "
                             "'arguments': {'device': 'card0', 'vf': 1, "
                             "'mac': '02:99:00:00:00:02'}}");
    qtest_qmp_assert_success(qts, "{'execute': 'nswitch-mirror-start', "
                             "'arguments': {'device': 'card0', "
                             "'monitor-vf': 1, 'vf': 0}}");
    arp_request_frame(request, c.mac[0], SLIRP_GUEST_IP, SLIRP_GATEWAY_IP);
    post_rx_buffer(&c.vf[0]);
    queue_buffer(&c.vf[1], RX_QUEUE, c.vf[1].buffers, 2048, true);
    queue_buffer(&c.vf[1], RX_QUEUE, c.vf[1].buffers + 0x800, 2048, true);
    vf_send(&c.vf[0], request, sizeof(request));

    for (int i = 0; i < 2; i++) {
        uint32_t used = wait_for_used(&c.vf[1], RX_QUEUE);

        g_assert_cmpuint(used, >=, VNET_HDR_LEN + 42);
        g_assert_cmpuint(used, <=, sizeof(copy));
        qtest_memread(qts, c.vf[1].buffers + i * 0x800, copy, used);
        if (!memcmp(copy + VNET_HDR_LEN, request, sizeof(request))) {
            g_assert_false(saw_request);
            saw_request = true;
        } else {
            assert_arp_reply(copy + VNET_HDR_LEN, used - VNET_HDR_LEN,
                             c.mac[0], SLIRP_GATEWAY_IP, SLIRP_GUEST_IP);
            g_assert_false(saw_reply);
            saw_reply = true;
        }
    }
    g_assert_true(saw_request && saw_reply);
    /* VF0 got the answer too */
    g_assert_cmpuint(wait_for_used(&c.vf[0], RX_QUEUE), >=, VNET_HDR_LEN + 42);
    card_stop(&c);
}

/*
 * A frame longer than the TX rate's burst: it waits for its bytes and
 * goes, and QEMU keeps answering meanwhile (its timer used to re-arm at
 * +0 for ever).
 */
static void test_frame_longer_than_tx_burst_is_paced_not_stuck(void)
{
    const size_t len = 68000;
    g_autofree uint8_t *frame = g_malloc0(len);
    Card c;

    card_start(&c, ",vfs=2,id=card0", 2);
    qtest_qmp_assert_success(c.qts, "{'execute': 'nswitch-vf-set', "
                             "'arguments': {'device': 'card0', 'vf': 0, "
                             "'max-tx-rate': 1}}");
    make_frame(frame, other_oui_mac, c.mac[0], 0x99);
    /* the first goes from the full bucket, into debt */
    vf_send_from(&c.vf[0], BIG_FRAME_AREA, NULL, frame, len);
    wait_for_counter(c.qts, PATHS, "to-uplink", 1);
    /* the second waits for the debt: 68000 bytes at 1 Mbit/s, 544 ms */
    queue_buffer(&c.vf[0], TX_QUEUE, BIG_FRAME_AREA, VNET_HDR_LEN + len, false);
    assert_bottom_halves_ran(&c, 1, 0);
    g_assert_cmpint(card_counter(c.qts, VF_PORT(0), "rx-frames"), ==, 1);
    g_assert_true(queue_used_nothing(&c.vf[0], TX_QUEUE));
    qtest_clock_step(c.qts, 1000 * 1000 * 1000);
    wait_for_used(&c.vf[0], TX_QUEUE);
    wait_for_counter(c.qts, PATHS, "to-uplink", 2);
    card_stop(&c);
}

/*
 * A frame of no bytes from a socket peer on the uplink: the card takes it
 * as a runt and the uplink goes on (the card used to answer 0, which
 * told QEMU to queue it, and QEMU stopped reading the uplink for good).
 */
static void test_empty_uplink_frame_does_not_wedge_the_uplink(void)
{
    uint8_t frame[60] = { 0 };
    Card c;

    card_start(&c, ",vfs=2", 2);
    post_rx_buffer(&c.vf[1]);
    uplink_send(c.uplink_fd, frame, 0);
    for (int i = 0; i < 2; i++) {
        make_frame(frame, c.mac[1], outside_mac, 0x77 + i);
        uplink_send(c.uplink_fd, frame, sizeof(frame));
        g_assert_cmpuint(wait_for_used(&c.vf[1], RX_QUEUE), ==,
                         VNET_HDR_LEN + 60);
        post_rx_buffer(&c.vf[1]);
    }
    g_assert_cmpint(card_counter(c.qts, PATHS, "dropped.runt"), ==, 1);
    g_assert_cmpint(card_counter(c.qts, UPLINK_PORT, "rx-frames"), ==, 3);
    card_stop(&c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-nic/hardening/gso-udp-l4",
                   test_gso_udp_l4_is_dropped);
    qtest_add_func("/nswitch-nic/hardening/gso-type-2",
                   test_gso_type_2_is_dropped);
    qtest_add_func("/nswitch-nic/hardening/gso-type-0x7f",
                   test_gso_type_0x7f_is_dropped);
    qtest_add_func("/nswitch-nic/hardening/gso-tcpv6-on-ipv4",
                   test_gso_tcpv6_on_ipv4_frame_is_dropped);
    qtest_add_func("/nswitch-nic/hardening/gso-tcpv4-on-ipv6",
                   test_gso_tcpv4_on_ipv6_frame_is_dropped);
    qtest_add_func("/nswitch-nic/hardening/tso-hdr-len-34",
                   test_tso_hdr_len_at_l3_end);
    qtest_add_func("/nswitch-nic/hardening/tso-hdr-len-20",
                   test_tso_hdr_len_below_l3_end);
    qtest_add_func("/nswitch-nic/hardening/tso-hdr-len-40",
                   test_tso_hdr_len_inside_tcp_header);
    qtest_add_func("/nswitch-nic/hardening/tso-hdr-len-0",
                   test_tso_hdr_len_zero);
    qtest_add_func("/nswitch-nic/hardening/tso-truncated-tcp-header",
                   test_tso_truncated_tcp_header_is_dropped);
    qtest_add_func("/nswitch-nic/hardening/toctou-uplink-copy",
                   test_uplink_gets_the_bytes_the_switch_checked);
    qtest_add_func("/nswitch-nic/hardening/slirp-reentrancy",
                   test_synchronous_uplink_answer_waits_its_turn);
    qtest_add_func("/nswitch-nic/hardening/tx-rate-long-frame",
                   test_frame_longer_than_tx_burst_is_paced_not_stuck);
    qtest_add_func("/nswitch-nic/hardening/empty-uplink-frame",
                   test_empty_uplink_frame_does_not_wedge_the_uplink);
    return g_test_run();
}
