/*
 * nswitch-nic: the direct path (nswitch-direct.c) against virtio-net's
 *
 * The card moves frames between the virtqueues of its functions itself
 * where virtio-net would do nothing but copy them. What a guest finds in
 * its rings must not tell the two apart: each scenario runs with
 * x-direct-path=off (virtio-net's own TX bottom half and receive) and on,
 * and every byte of the receivers' buffers, every used entry and every
 * counter must be the same.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "standard-headers/linux/virtio_net.h"
#include "standard-headers/linux/virtio_ring.h"
#include "nswitch/card.h"

/* The receivers' buffers and the sender's frames, in the big area. */
#define RX_AREA BIG_FRAME_AREA
#define RX_AREA_SIZE 0x8000
#define RX_BUFFER 512
#define TX_AREA (BIG_FRAME_AREA + 0x10000)
#define BURST 8
#define MAX_USED 32

/* What the guest sees of a scenario's receptions. */
typedef struct Seen {
    uint8_t rx[2][RX_AREA_SIZE];        /* VF 1's and VF 2's buffers */
    uint32_t used[2][MAX_USED][2];      /* their used entries: id, len */
    int used_count[2];
    int64_t counters[2][3];             /* tx-frames, filtered, tx-bytes */
    int64_t tx_used;                    /* VF 0's completed frames */
} Seen;

static uint64_t rx_buffer(int receiver, int i)
{
    return RX_AREA + receiver * RX_AREA_SIZE + i * RX_BUFFER;
}

/* Puts @count buffers of @len bytes on @d's RX queue, from buffer @first. */
static void post_buffers(VfDriver *d, int receiver, int first, int count,
                         uint32_t len)
{
    for (int i = first; i < first + count; i++) {
        queue_buffer(d, RX_QUEUE, rx_buffer(receiver, i), len, true);
    }
}

/* A frame of @len bytes from VF 0 to @dst, its bytes a pattern of @seed. */
static void fill_frame(uint8_t *frame, size_t len, const Card *c, int dst,
                       uint8_t seed)
{
    make_frame(frame, c->mac[dst], c->mac[0], seed);
    for (size_t i = 14; i < len; i++) {
        frame[i] = seed + i * 7;
    }
}

/* Makes TX descriptor @slot available without telling the device. */
static void offer_tx(VfDriver *d, uint16_t slot)
{
    VirtqueueRings *q = &d->queue[TX_QUEUE];

    qtest_writew(d->qts, q->avail + 4 + 2 * (q->next_avail % q->size), slot);
    q->next_avail++;
    qtest_writew(d->qts, q->avail + 2, q->next_avail);
}

/* @count frames of @len bytes on VF 0's TX queue, then one kick. */
static void send_burst(Card *c, int dst, int count, size_t len, uint8_t seed)
{
    VfDriver *d = &c->vf[0];
    uint8_t frame[1514] = { 0 };
    uint8_t header[VNET_HDR_LEN] = { 0 };

    for (int i = 0; i < count; i++) {
        uint64_t at = TX_AREA + i * 0x800;
        uint16_t slot = (d->queue[TX_QUEUE].next_avail + i) %
                        d->queue[TX_QUEUE].size;

        fill_frame(frame, len, c, dst, seed + i);
        qtest_memwrite(c->qts, at, header, sizeof(header));
        qtest_memwrite(c->qts, at + VNET_HDR_LEN, frame, len);
        write_descriptor(d, TX_QUEUE, slot, at, VNET_HDR_LEN + len, 0, 0);
    }
    for (int i = 0; i < count; i++) {
        offer_tx(d, (d->queue[TX_QUEUE].next_avail) %
                    d->queue[TX_QUEUE].size);
    }
    qtest_writew(c->qts, d->queue[TX_QUEUE].notify, TX_QUEUE);
    for (int i = 0; i < count; i++) {
        wait_for_used(d, TX_QUEUE);
    }
}

static void take_all_used(Card *c, Seen *seen)
{
    for (int r = 0; r < 2; r++) {
        VfDriver *d = &c->vf[1 + r];

        while (take_used(d, RX_QUEUE, &seen->used[r][seen->used_count[r]][0],
                         &seen->used[r][seen->used_count[r]][1])) {
            g_assert_cmpint(++seen->used_count[r], <, MAX_USED);
        }
    }
}

/*
 * VF 1 (mergeable buffers) and VF 2 (one buffer per frame) receive from
 * VF 0: a small frame, a frame over three buffers, a frame too big for
 * VF 2's buffer, a burst of BURST frames in one kick.
 */
static void run_scenario(const char *direct, Seen *seen)
{
    g_autofree char *options = g_strdup_printf(",vfs=3,%s", direct);
    static uint8_t pattern[RX_AREA_SIZE];
    Card c;

    memset(seen, 0, sizeof(*seen));
    memset(pattern, 0xa5, sizeof(pattern));
    card_start(&c, options, 3);
    vf_driver_start_with_features(&c.vf[1], c.qts, 1,
                                  1u << VIRTIO_NET_F_MRG_RXBUF);
    for (int r = 0; r < 2; r++) {
        qtest_memwrite(c.qts, rx_buffer(r, 0), pattern, sizeof(pattern));
    }
    post_buffers(&c.vf[1], 0, 0, 4, RX_BUFFER);
    post_buffers(&c.vf[2], 1, 0, 1, RX_BUFFER);
    /* The rings hold 8 entries: each step's are taken before the next. */
    send_burst(&c, 1, 1, 60, 0x10);
    send_burst(&c, 1, 1, 1200, 0x20);
    wait_for_counter(c.qts, VF_PORT(1), "tx-frames", 2);
    take_all_used(&c, seen);
    /* Too big for VF 2's one buffer: dropped, the buffer stays. */
    send_burst(&c, 2, 1, 1200, 0x30);
    send_burst(&c, 2, 1, 60, 0x40);
    wait_for_counter(c.qts, VF_PORT(2), "tx-frames", 1);
    take_all_used(&c, seen);
    post_buffers(&c.vf[1], 0, 4, BURST, RX_BUFFER);
    send_burst(&c, 1, BURST, 300, 0x50);
    wait_for_counter(c.qts, VF_PORT(1), "tx-frames", 2 + BURST);
    take_all_used(&c, seen);
    for (int r = 0; r < 2; r++) {
        qtest_memread(c.qts, rx_buffer(r, 0), seen->rx[r], RX_AREA_SIZE);
        seen->counters[r][0] = card_counter(c.qts, VF_PORT(1 + r),
                                            "tx-frames");
        seen->counters[r][1] = card_counter(c.qts, VF_PORT(1 + r),
                                            "dropped.filtered");
        seen->counters[r][2] = card_counter(c.qts, VF_PORT(1 + r),
                                            "tx-bytes");
    }
    seen->tx_used = c.vf[0].queue[TX_QUEUE].seen_used;
    assert_frames_accounted(c.qts);
    card_stop(&c);
}

static void test_guests_see_the_same(void)
{
    static Seen generic, direct;
    uint8_t frame[1514];
    uint16_t buffers;
    Card fake = { 0 };

    run_scenario("x-direct-path=off", &generic);
    run_scenario("x-direct-path=on", &direct);

    /* What both must show, so that both cannot be wrong alike. */
    g_assert_cmpint(direct.used_count[0], ==, 4 + BURST);
    g_assert_cmpint(direct.used_count[1], ==, 1);
    g_assert_cmpint(direct.counters[1][1], ==, 1);
    g_assert_cmpint(direct.tx_used, ==, 4 + BURST);
    /* The 1200-byte frame: 500 + 512 + 188 bytes, num_buffers 3. */
    g_assert_cmpuint(direct.used[0][1][1], ==, RX_BUFFER);
    g_assert_cmpuint(direct.used[0][2][1], ==, RX_BUFFER);
    g_assert_cmpuint(direct.used[0][3][1], ==,
                     VNET_HDR_LEN + 1200 - 2 * RX_BUFFER);
    memcpy(&buffers, direct.rx[0] + RX_BUFFER +
           offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers), 2);
    g_assert_cmpuint(le16_to_cpu(buffers), ==, 3);
    for (int vf = 0; vf < 2; vf++) {
        vf_mac(fake.mac[vf], vf);
    }
    fill_frame(frame, 1200, &fake, 1, 0x20);
    g_assert_cmpmem(direct.rx[0] + RX_BUFFER + VNET_HDR_LEN,
                    RX_BUFFER - VNET_HDR_LEN, frame,
                    RX_BUFFER - VNET_HDR_LEN);
    g_assert_cmpmem(direct.rx[0] + 3 * RX_BUFFER, 1200 + VNET_HDR_LEN -
                    2 * RX_BUFFER, frame + 2 * RX_BUFFER - VNET_HDR_LEN,
                    1200 + VNET_HDR_LEN - 2 * RX_BUFFER);
    /* Past what a buffer received, the guest's bytes are untouched. */
    g_assert_cmpuint(direct.rx[0][VNET_HDR_LEN + 60], ==, 0xa5);

    g_assert_cmpmem(&direct, sizeof(direct), &generic, sizeof(generic));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-nic/direct/guests-see-the-same",
                   test_guests_see_the_same);
    return g_test_run();
}
