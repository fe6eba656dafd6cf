/*
 * Unit tests for the ACL: rule order, matching on every field, ids,
 * capacity, bad rules and restore.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/net/nswitch/acl.h"
#include "test-mac.h"

static const uint8_t full_mask[NSWITCH_MAC_LEN] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};
static const uint8_t oui_mask[NSWITCH_MAC_LEN] = { 0xff, 0xff, 0xff };

typedef struct Macs {
    uint8_t a1[NSWITCH_MAC_LEN];   /* OUI A, station 1 */
    uint8_t a2[NSWITCH_MAC_LEN];
    uint8_t b1[NSWITCH_MAC_LEN];   /* OUI B */
} Macs;

static Macs macs(void)
{
    Macs m;

    test_mac(m.a1, 0x026e00, 1);
    test_mac(m.a2, 0x026e00, 2);
    test_mac(m.b1, 0x525400, 1);
    return m;
}

static NSwitchAclFrame frame(const uint8_t *dst, const uint8_t *src,
                             uint16_t vlan, uint16_t ethertype)
{
    NSwitchAclFrame f = {
        .dst = dst, .src = src, .vlan = vlan, .ethertype = ethertype,
    };

    return f;
}

static uint32_t add(NSwitchAcl *acl, const NSwitchAclMatch *match,
                    NSwitchAclAction action, uint32_t position)
{
    uint32_t id = 0;

    assert_int_equal(nswitch_acl_add(acl, match, action, position, &id),
                     NSWITCH_ACL_OK);
    return id;
}

static void test_empty_list_matches_nothing(void **state)
{
    NSwitchAcl *acl = nswitch_acl_new(4);
    Macs m = macs();
    NSwitchAclFrame f = frame(m.a1, m.a2, 0, 0x0800);

    (void)state;
    assert_null(nswitch_acl_lookup(acl, &f));
    assert_int_equal(nswitch_acl_count(acl), 0);
    assert_int_equal(nswitch_acl_capacity(acl), 4);
    nswitch_acl_free(acl);
}

static void test_bad_sizes(void **state)
{
    (void)state;
    assert_null(nswitch_acl_new(0));
    assert_null(nswitch_acl_new(NSWITCH_ACL_MAX_RULES + 1));
}

static void test_matches_oui_and_mac(void **state)
{
    NSwitchAcl *acl = nswitch_acl_new(8);
    Macs m = macs();
    NSwitchAclMatch from_oui_b = { 0 }, to_a2 = { 0 };
    NSwitchAclFrame f;
    uint32_t oui_rule, mac_rule;

    (void)state;
    memcpy(from_oui_b.src, m.b1, 3);
    memcpy(from_oui_b.src_mask, oui_mask, NSWITCH_MAC_LEN);
    memcpy(to_a2.dst, m.a2, NSWITCH_MAC_LEN);
    memcpy(to_a2.dst_mask, full_mask, NSWITCH_MAC_LEN);
    oui_rule = add(acl, &from_oui_b, NSWITCH_ACL_DROP, UINT32_MAX);
    mac_rule = add(acl, &to_a2, NSWITCH_ACL_MIRROR, UINT32_MAX);
    assert_int_not_equal(oui_rule, mac_rule);
    f = frame(m.a1, m.b1, 0, 0x0800);
    assert_int_equal(nswitch_acl_lookup(acl, &f)->id, oui_rule);
    f = frame(m.a2, m.a1, 0, 0x0800);
    assert_int_equal(nswitch_acl_lookup(acl, &f)->id, mac_rule);
    f = frame(m.a1, m.a2, 0, 0x0800);
    assert_null(nswitch_acl_lookup(acl, &f));
    /* first match wins: B to a2 hits the OUI rule */
    f = frame(m.a2, m.b1, 0, 0x0800);
    assert_int_equal(nswitch_acl_lookup(acl, &f)->id, oui_rule);
    assert_int_equal(nswitch_acl_rule(acl, 0)->hits, 2);
    assert_int_equal(nswitch_acl_rule(acl, 1)->hits, 1);
    nswitch_acl_free(acl);
}

static void test_matches_vlan_and_ethertype(void **state)
{
    NSwitchAcl *acl = nswitch_acl_new(8);
    Macs m = macs();
    NSwitchAclMatch untagged_arp = {
        .match_vlan = true, .vlan = NSWITCH_ACL_UNTAGGED,
        .match_ethertype = true, .ethertype = 0x0806,
    };
    NSwitchAclMatch vlan5 = { .match_vlan = true, .vlan = 5 };
    NSwitchAclFrame f;

    (void)state;
    add(acl, &untagged_arp, NSWITCH_ACL_DROP, UINT32_MAX);
    add(acl, &vlan5, NSWITCH_ACL_ALLOW, UINT32_MAX);
    f = frame(m.a1, m.a2, 0, 0x0806);
    assert_int_equal(nswitch_acl_lookup(acl, &f)->action, NSWITCH_ACL_DROP);
    f = frame(m.a1, m.a2, 0, 0x0800);
    assert_null(nswitch_acl_lookup(acl, &f));
    f = frame(m.a1, m.a2, 5, 0x0806);
    assert_int_equal(nswitch_acl_lookup(acl, &f)->action, NSWITCH_ACL_ALLOW);
    f = frame(m.a1, m.a2, 6, 0x0806);
    assert_null(nswitch_acl_lookup(acl, &f));
    nswitch_acl_free(acl);
}

static void test_position_orders_rules(void **state)
{
    NSwitchAcl *acl = nswitch_acl_new(8);
    NSwitchAclMatch any = { 0 };
    uint32_t first, second, front;

    (void)state;
    first = add(acl, &any, NSWITCH_ACL_DROP, UINT32_MAX);
    second = add(acl, &any, NSWITCH_ACL_ALLOW, UINT32_MAX);
    front = add(acl, &any, NSWITCH_ACL_MIRROR, 0);
    assert_int_equal(nswitch_acl_rule(acl, 0)->id, front);
    assert_int_equal(nswitch_acl_rule(acl, 1)->id, first);
    assert_int_equal(nswitch_acl_rule(acl, 2)->id, second);
    assert_null(nswitch_acl_rule(acl, 3));
    assert_int_equal(nswitch_acl_remove(acl, first), NSWITCH_ACL_OK);
    assert_int_equal(nswitch_acl_remove(acl, first), NSWITCH_ACL_NOT_FOUND);
    assert_int_equal(nswitch_acl_rule(acl, 1)->id, second);
    assert_int_equal(nswitch_acl_count(acl), 2);
    /* ids are not reused */
    assert_true(add(acl, &any, NSWITCH_ACL_DROP, UINT32_MAX) > front);
    nswitch_acl_flush(acl);
    assert_int_equal(nswitch_acl_count(acl), 0);
    assert_true(add(acl, &any, NSWITCH_ACL_DROP, UINT32_MAX) > front + 1);
    nswitch_acl_free(acl);
}

static void test_full_and_bad_rules_are_refused(void **state)
{
    NSwitchAcl *acl = nswitch_acl_new(2);
    NSwitchAclMatch any = { 0 };
    NSwitchAclMatch outside_mask = { .src = { 0, 0, 0, 1 } };
    NSwitchAclMatch bad_vlan = { .match_vlan = true, .vlan = 4095 };

    (void)state;
    memcpy(outside_mask.src_mask, oui_mask, NSWITCH_MAC_LEN);
    assert_int_equal(nswitch_acl_add(acl, &outside_mask, NSWITCH_ACL_DROP, 0,
                                     NULL), NSWITCH_ACL_BAD_RULE);
    assert_int_equal(nswitch_acl_add(acl, &bad_vlan, NSWITCH_ACL_DROP, 0,
                                     NULL), NSWITCH_ACL_BAD_RULE);
    assert_int_equal(nswitch_acl_add(acl, &any, NSWITCH_ACL__MAX, 0, NULL),
                     NSWITCH_ACL_BAD_RULE);
    add(acl, &any, NSWITCH_ACL_DROP, 0);
    add(acl, &any, NSWITCH_ACL_DROP, 0);
    assert_int_equal(nswitch_acl_add(acl, &any, NSWITCH_ACL_DROP, 0, NULL),
                     NSWITCH_ACL_FULL);
    assert_int_equal(nswitch_acl_count(acl), 2);
    nswitch_acl_free(acl);
}

static void test_restore_keeps_ids_and_hits(void **state)
{
    NSwitchAcl *acl = nswitch_acl_new(4);
    NSwitchAclRule rule = { .id = 7, .action = NSWITCH_ACL_DROP, .hits = 42 };
    NSwitchAclMatch any = { 0 };

    (void)state;
    assert_int_equal(nswitch_acl_restore(acl, &rule), NSWITCH_ACL_OK);
    assert_int_equal(nswitch_acl_restore(acl, &rule), NSWITCH_ACL_ID_IN_USE);
    rule.id = 0;
    assert_int_equal(nswitch_acl_restore(acl, &rule), NSWITCH_ACL_BAD_RULE);
    assert_int_equal(nswitch_acl_rule(acl, 0)->id, 7);
    assert_int_equal(nswitch_acl_rule(acl, 0)->hits, 42);
    /* new rules get ids after the restored ones */
    assert_int_equal(add(acl, &any, NSWITCH_ACL_ALLOW, UINT32_MAX), 8);
    nswitch_acl_clear_hits(acl);
    assert_int_equal(nswitch_acl_rule(acl, 0)->hits, 0);
    nswitch_acl_free(acl);
}

/*
 * A restored id at the top of the range (a migration stream may carry
 * any): new ids wrap past it, never to 0 (no rule) nor to one in use.
 */
static void test_ids_wrap_past_the_top_without_duplicates(void **state)
{
    NSwitchAcl *acl = nswitch_acl_new(4);
    NSwitchAclRule top = { .id = UINT32_MAX, .action = NSWITCH_ACL_ALLOW };
    NSwitchAclRule one = { .id = 1, .action = NSWITCH_ACL_ALLOW };
    NSwitchAclMatch any = { 0 };

    (void)state;
    assert_int_equal(nswitch_acl_restore(acl, &one), NSWITCH_ACL_OK);
    assert_int_equal(nswitch_acl_restore(acl, &top), NSWITCH_ACL_OK);
    assert_int_equal(add(acl, &any, NSWITCH_ACL_ALLOW, UINT32_MAX), 2);
    assert_int_equal(add(acl, &any, NSWITCH_ACL_ALLOW, UINT32_MAX), 3);
    assert_int_equal(nswitch_acl_count(acl), 4);
    for (uint32_t i = 0; i < 4; i++) {
        for (uint32_t j = i + 1; j < 4; j++) {
            assert_int_not_equal(nswitch_acl_rule(acl, i)->id,
                                 nswitch_acl_rule(acl, j)->id);
        }
        assert_int_not_equal(nswitch_acl_rule(acl, i)->id, 0);
    }
    nswitch_acl_free(acl);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(nswitch_acl_action_name(NSWITCH_ACL_MIRROR),
                        "mirror");
    assert_string_equal(nswitch_acl_action_name(NSWITCH_ACL__MAX), "unknown");
    assert_string_not_equal(nswitch_acl_status_message(NSWITCH_ACL_FULL),
                            "unknown ACL status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_list_matches_nothing),
        cmocka_unit_test(test_bad_sizes),
        cmocka_unit_test(test_matches_oui_and_mac),
        cmocka_unit_test(test_matches_vlan_and_ethertype),
        cmocka_unit_test(test_position_orders_rules),
        cmocka_unit_test(test_full_and_bad_rules_are_refused),
        cmocka_unit_test(test_restore_keeps_ids_and_hits),
        cmocka_unit_test(test_ids_wrap_past_the_top_without_duplicates),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
