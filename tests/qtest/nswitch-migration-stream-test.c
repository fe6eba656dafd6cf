/*
 * nswitch-nic qtests: migration streams the card must not trust. A
 * stream is saved from a real card, then changed as a broken or hostile
 * source could have written it, and loaded into a new machine: the card
 * refuses what does not fit it with an error that says why, repairs
 * what it can, and QEMU keeps running either way. Each test is the
 * regression test of a stream the card once accepted.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qobject/qnum.h"
#include "nswitch/card.h"

#define RELAY_ENTRY_LEN 11       /* MAC, port (be32), static (bool) */
#define ACL_RULE_ID_AT 30        /* after four MACs, VLAN and ethertype */

static const uint8_t acl_src[6] = { 0x02, 0x12, 0x34, 0x56, 0x78, 0x9a };

typedef struct Stream {
    char *path;
    char *log;
    uint8_t *bytes;
    size_t len;
} Stream;

/* Saves @src's state into @s and reads it in. */
static void stream_save(Stream *s, QTestState *src)
{
    g_autofree char *uri = NULL;
    gchar *contents;

    s->path = g_strdup_printf("%s/nswitch-stream-%d.mig", g_get_tmp_dir(),
                              getpid());
    s->log = g_strdup_printf("%s/nswitch-stream-%d.log", g_get_tmp_dir(),
                             getpid());
    uri = g_strdup_printf("file:%s", s->path);
    qtest_qmp_assert_success(src, "{'execute': 'migrate', 'arguments': "
                             "{'uri': %s}}", uri);
    wait_for_migration(src);
    g_assert_true(g_file_get_contents(s->path, &contents, &s->len, NULL));
    s->bytes = (uint8_t *)contents;
}

static void stream_free(Stream *s)
{
    unlink(s->path);
    unlink(s->log);
    g_free(s->path);
    g_free(s->log);
    g_free(s->bytes);
}

/* The one place @pattern occurs in the stream. */
static size_t find_once(const Stream *s, const uint8_t *pattern, size_t len)
{
    size_t found = SIZE_MAX;

    for (size_t at = 0; at + len <= s->len; at++) {
        if (!memcmp(s->bytes + at, pattern, len)) {
            g_assert_cmpuint(found, ==, SIZE_MAX);
            found = at;
        }
    }
    g_assert_cmpuint(found, !=, SIZE_MAX);
    return found;
}

static void relay_entry(uint8_t *entry, const uint8_t *mac, uint32_t port)
{
    memcpy(entry, mac, 6);
    stl_be_p(entry + 6, port);
    entry[10] = 0;
}

/* Where the relay table's entry count (be32) is. */
static size_t relay_count_at(const Stream *s, uint32_t count)
{
    uint8_t entry[RELAY_ENTRY_LEN];
    size_t pf_entry;

    relay_entry(entry, pf_mac, PF_PORT);
    pf_entry = find_once(s, entry, sizeof(entry));
    for (uint32_t k = 0; k < count; k++) {
        size_t at = pf_entry - k * RELAY_ENTRY_LEN - 4;

        if (ldl_be_p(s->bytes + at) == count) {
            return at;
        }
    }
    g_assert_not_reached();
}

static void stream_write(const Stream *s)
{
    g_assert_true(g_file_set_contents(s->path, (const char *)s->bytes,
                                      s->len, NULL));
}

/*
 * Loads the stream, as changed, into a new machine with @card_options;
 * returns it, and whether the migration completed in @completed.
 */
static QTestState *stream_load(const Stream *s, const char *card_options,
                               bool *completed)
{
    g_autofree char *machine = g_strdup_printf("-incoming defer 2>%s",
                                               s->log);
    g_autofree char *uri = g_strdup_printf("file:%s", s->path);
    QTestState *dst;
    int fd;

    stream_write(s);
    dst = start_machine_with_uplink(card_options, machine, &fd);
    close(fd);
    qtest_qmp_assert_success(dst, "{'execute': 'migrate-set-parameters', "
                             "'arguments': {'announce-rounds': 0}}");
    qtest_qmp_assert_success(dst, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s, "
                             "'exit-on-error': false}}", uri);
    *completed = migration_completes(dst);
    return dst;
}

/*
 * The load failed, said @why, and QEMU still answers. The device's own
 * checks print on stderr; QEMU 10.1 and later report the migration
 * core's (a VMSTATE_VALIDATE) in query-migrate's error-desc instead.
 */
static void assert_refused(const Stream *s, const char *card_options,
                           const char *why)
{
    g_autofree char *log = NULL;
    g_autofree char *said = NULL;
    bool completed;
    QTestState *dst = stream_load(s, card_options, &completed);
    QDict *rsp, *info;

    g_assert_false(completed);
    rsp = qtest_qmp(dst, "{'execute': 'query-migrate'}");
    info = qdict_get_qdict(rsp, "return");
    g_assert_nonnull(info);
    qtest_quit(dst);
    g_assert_true(g_file_get_contents(s->log, &log, NULL, NULL));
    said = g_strdup_printf("%s%s", log,
                           qdict_haskey(info, "error-desc")
                           ? qdict_get_str(info, "error-desc") : "");
    qobject_unref(rsp);
    g_test_message("destination said: %s", said);
    if (why) {
        g_assert_nonnull(strstr(said, why));
    }
}

static QTestState *source_with_vfs(uint16_t total, uint16_t enabled)
{
    g_autofree char *options = g_strdup_printf(",vfs=%u,id=card0", total);
    QTestState *src;
    int fd;

    src = start_with_uplink(options, &fd);
    close(fd);
    map_vf_bars(src, enabled);
    return src;
}

/* A non-static entry for a VF the stream leaves disabled. */
static void test_entry_for_disabled_vf_is_refused(void)
{
    QTestState *src = source_with_vfs(2, 1);
    uint8_t entry[RELAY_ENTRY_LEN], mac[6];
    Stream s;

    stream_save(&s, src);
    qtest_quit(src);
    vf_mac(mac, 0);
    relay_entry(entry, mac, VF_PORT(0));
    stl_be_p(s.bytes + find_once(&s, entry, sizeof(entry)) + 6, VF_PORT(1));
    assert_refused(&s, ",vfs=2,id=card0",
                   "migrated relay entry for VF 1, which is not on the "
                   "switch");
    stream_free(&s);
}

/* A stream without the PF's entry: the PF comes back on the switch. */
static void test_missing_pf_entry_is_repaired(void)
{
    QTestState *src = source_with_vfs(2, 2), *dst;
    uint8_t entry[RELAY_ENTRY_LEN];
    size_t count_at, pf_entry;
    QDict *rsp, *card;
    bool completed;
    Stream s;

    stream_save(&s, src);
    qtest_quit(src);
    count_at = relay_count_at(&s, 3);
    stl_be_p(s.bytes + count_at, 2);
    relay_entry(entry, pf_mac, PF_PORT);
    pf_entry = find_once(&s, entry, sizeof(entry));
    memmove(s.bytes + pf_entry, s.bytes + pf_entry + RELAY_ENTRY_LEN,
            s.len - pf_entry - RELAY_ENTRY_LEN);
    s.len -= RELAY_ENTRY_LEN;

    dst = stream_load(&s, ",vfs=2,id=card0", &completed);
    g_assert_true(completed);
    card = query_card(dst, &rsp);
    g_assert_true(qdict_get_bool(card_port(card, PF_PORT), "attached"));
    g_assert_cmpuint(qlist_size(qdict_get_qlist(card, "relay-table")), ==, 3);
    qobject_unref(rsp);
    qtest_quit(dst);
    stream_free(&s);
}

/* A mirror whose monitor is the PF or the uplink does not fit. */
static void assert_mirror_monitor_refused(uint32_t monitor_port)
{
    QTestState *src = source_with_vfs(2, 2);
    uint8_t mirror[16];
    Stream s;

    qtest_qmp_assert_success(src, "{'execute': 'nswitch-mirror-start', "
                             "'arguments': {'device': 'card0', "
                             "'monitor-vf': 1, 'vf': 0}}");
    stream_save(&s, src);
    qtest_quit(src);
    stl_be_p(mirror, 2);                 /* frames from or to a port: */
    stl_be_p(mirror + 4, VF_PORT(1));    /* the monitor */
    stl_be_p(mirror + 8, VF_PORT(0));    /* the port */
    stl_be_p(mirror + 12, 0);
    stl_be_p(s.bytes + find_once(&s, mirror, sizeof(mirror)) + 4,
             monitor_port);
    assert_refused(&s, ",vfs=2,id=card0",
                   "the migrated mirror does not fit this card");
    stream_free(&s);
}

static void test_mirror_monitor_pf_is_refused(void)
{
    assert_mirror_monitor_refused(PF_PORT);
}

static void test_mirror_monitor_uplink_is_refused(void)
{
    assert_mirror_monitor_refused(UPLINK_PORT);
}

/* A rule id of 2^32 - 1: new rules get ids that are not 0 nor taken. */
static void test_acl_id_near_2_32_does_not_wrap_to_0(void)
{
    QTestState *src = source_with_vfs(2, 2), *dst;
    uint8_t match[12];
    uint32_t first, second;
    bool completed;
    Stream s;

    qtest_qmp_assert_success(src, "{'execute': 'nswitch-acl-add', "
                             "'arguments': {'device': 'card0', "
                             "'action': 'allow', "
                             "'src': '02:12:34:56:78:9a'}}");
    stream_save(&s, src);
    qtest_quit(src);
    memcpy(match, acl_src, 6);
    memset(match + 6, 0xff, 6);
    stl_be_p(s.bytes + find_once(&s, match, sizeof(match)) + ACL_RULE_ID_AT,
             UINT32_MAX);

    dst = stream_load(&s, ",vfs=2,id=card0", &completed);
    g_assert_true(completed);
    first = acl_add(dst, "card0", "'action': 'drop', 'ethertype': 2054");
    second = acl_add(dst, "card0", "'action': 'drop', 'ethertype': 2054");
    g_assert_cmpuint(first, !=, 0);
    g_assert_cmpuint(first, !=, UINT32_MAX);
    g_assert_cmpuint(second, !=, 0);
    g_assert_cmpuint(second, !=, UINT32_MAX);
    g_assert_cmpuint(second, !=, first);
    qtest_quit(dst);
    stream_free(&s);
}

/* A relay table larger than the card's. */
static void test_relay_count_too_large_is_refused(void)
{
    QTestState *src = source_with_vfs(2, 2);
    Stream s;

    stream_save(&s, src);
    qtest_quit(src);
    stl_be_p(s.bytes + relay_count_at(&s, 3), 0x7fffffff);
    assert_refused(&s, ",vfs=2,id=card0", "relay table fits");
    stream_free(&s);
}

/*
 * A counter at 2^64 - 1, as a long-lived or hostile source can send:
 * query-nswitch and info nswitch report it whole (the drop counters go
 * through a QAPI visitor, which must not take them for signed).
 */
static void test_counter_at_2_64_is_reported(void)
{
    QTestState *src = source_with_vfs(2, 2), *dst;
    g_autofree char *text = NULL;
    QDict *rsp, *card, *dropped;
    bool completed;
    Stream s;

    stream_save(&s, src);
    qtest_quit(src);
    /* The path counters end with dropped.migrated, before the relay count. */
    stq_be_p(s.bytes + relay_count_at(&s, 3) - 8, UINT64_MAX);

    dst = stream_load(&s, ",vfs=2,id=card0", &completed);
    g_assert_true(completed);
    card = query_card(dst, &rsp);
    dropped = qdict_get_qdict(qdict_get_qdict(card, "paths"), "dropped");
    g_assert_cmpuint(qnum_get_uint(qobject_to(QNum,
                                              qdict_get(dropped, "migrated"))),
                     ==, UINT64_MAX);
    qobject_unref(rsp);
    text = qtest_hmp(dst, "info nswitch");
    g_assert_nonnull(strstr(text, "18446744073709551615 migrated"));
    qtest_quit(dst);
    stream_free(&s);
}

/* A stream cut anywhere in the card's state. */
static void test_truncated_stream_is_refused(void)
{
    QTestState *src = source_with_vfs(2, 2);
    size_t relay;
    Stream s;

    stream_save(&s, src);
    qtest_quit(src);
    relay = relay_count_at(&s, 3);
    for (size_t cut = relay - 64; cut < relay + 64; cut += 37) {
        s.len = cut;
        assert_refused(&s, ",vfs=2,id=card0", NULL);
    }
    stream_free(&s);
}

/* A destination card with another number of VFs. */
static void test_other_vfs_count_is_refused(void)
{
    QTestState *src = source_with_vfs(2, 0);
    Stream s;

    stream_save(&s, src);
    qtest_quit(src);
    assert_refused(&s, ",vfs=3,id=card0", NULL);
    stream_free(&s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/nswitch-nic/migration-stream/entry-for-disabled-vf",
                   test_entry_for_disabled_vf_is_refused);
    qtest_add_func("/nswitch-nic/migration-stream/missing-pf-entry",
                   test_missing_pf_entry_is_repaired);
    qtest_add_func("/nswitch-nic/migration-stream/mirror-monitor-pf",
                   test_mirror_monitor_pf_is_refused);
    qtest_add_func("/nswitch-nic/migration-stream/mirror-monitor-uplink",
                   test_mirror_monitor_uplink_is_refused);
    qtest_add_func("/nswitch-nic/migration-stream/acl-id-near-2-32",
                   test_acl_id_near_2_32_does_not_wrap_to_0);
    qtest_add_func("/nswitch-nic/migration-stream/relay-count-too-large",
                   test_relay_count_too_large_is_refused);
    qtest_add_func("/nswitch-nic/migration-stream/counter-at-2-64",
                   test_counter_at_2_64_is_reported);
    qtest_add_func("/nswitch-nic/migration-stream/truncated",
                   test_truncated_stream_is_refused);
    qtest_add_func("/nswitch-nic/migration-stream/other-vfs-count",
                   test_other_vfs_count_is_refused);
    return g_test_run();
}
