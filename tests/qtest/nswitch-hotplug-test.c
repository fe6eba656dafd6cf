/*
 * nswitch-nic qtests: the PF hot-unplugged while the card is busy, with
 * frames held for a receiver, a frame paced by a TX rate, a capture and
 * a mirror running. QEMU completes the unplug, keeps answering, forgets
 * the card and frees what it held (the ASan build's leak check runs at
 * QEMU's exit).
 *
 * PCIe native hotplug, the handshake a guest does: device_del presses
 * the slot's attention button, the "guest" powers the slot off
 * (power_off_slot()).
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "nswitch/card.h"

static void test_unplug_with_frames_held_and_paced(void)
{
    g_autofree char *capture = g_strdup_printf("%s/nswitch-unplug-%d.pcap",
                                               g_get_tmp_dir(), getpid());
    const size_t long_len = 68000;
    g_autofree uint8_t *long_frame = g_malloc0(long_len);
    uint8_t frame[60];
    QTestState *qts;
    Card c;

    card_start_machine(&c, ",vfs=2,id=card0", "-global ICH9-LPC.acpi-pci-"
                       "hotplug-with-bridge-support=off", 2);
    qts = c.qts;
    qtest_qmp_assert_success(qts, "{'execute': 'nswitch-capture-start', "
                             "'arguments': {'device': 'card0', "
                             "'file': %s}}", capture);
    qtest_qmp_assert_success(qts, "{'execute': 'nswitch-mirror-start', "
                             "'arguments': {'device': 'card0', "
                             "'monitor-vf': 1, 'vf': 0}}");

    /* VF1 posts no buffers: the card holds what VF0 sends it */
    for (int i = 0; i < 3; i++) {
        make_frame(frame, c.mac[1], c.mac[0], 0x40 + i);
        vf_send(&c.vf[0], frame, sizeof(frame));
    }
    g_assert_cmpint(card_counter(qts, VF_PORT(1), "held"), >=, 3);

    /*
     * At 1 Mbit/s a long frame empties VF0's bucket into debt; the next
     * waits 544 ms of virtual time, which only clock steps advance.
     */
    qtest_qmp_assert_success(qts, "{'execute': 'nswitch-vf-set', "
                             "'arguments': {'device': 'card0', 'vf': 0, "
                             "'max-tx-rate': 1}}");
    make_frame(long_frame, other_oui_mac, c.mac[0], 0x50);
    vf_send_from(&c.vf[0], BIG_FRAME_AREA, NULL, long_frame, long_len);
    queue_buffer(&c.vf[0], TX_QUEUE, BIG_FRAME_AREA, VNET_HDR_LEN + long_len,
                 false);
    assert_bottom_halves_ran(&c, 1, 0);
    g_assert_cmpint(card_counter(qts, VF_PORT(0), "rx-frames"), ==, 4);
    g_assert_true(queue_used_nothing(&c.vf[0], TX_QUEUE));

    qtest_qmp_assert_success(qts, "{'execute': 'device_del', 'arguments': "
                             "{'id': 'card0'}}");
    power_off_slot(qts);
    wait_until_no_card(qts);
    /* the paced frame's timer went with the card */
    qtest_clock_step(qts, 2ll * 1000 * 1000 * 1000);
    qtest_qmp_assert_success(qts, "{'execute': 'query-status'}");
    card_stop(&c);
    unlink(capture);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-nic/hotplug/unplug-with-frames-held-and-paced",
                   test_unplug_with_frames_held_and_paced);
    return g_test_run();
}
