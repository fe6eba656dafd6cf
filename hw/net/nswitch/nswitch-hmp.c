/*
 * nswitch-nic: the HMP command "nswitch", a front end to the nswitch-*
 * QMP commands with the words of "ip link set DEV vf N ..."
 *
 * Built whether or not the device is: without it, the QMP commands it
 * calls answer that nswitch-nic is not compiled in.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/net/nswitch-hmp.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nswitch.h"
#include "qemu/cutils.h"

static const char usage[] =
    "nswitch vf DEVICE VF [mac MAC] [group OUI] [vlan ID [qos PRIO]]\n"
    "           [spoofchk on|off] [trust on|off] [state auto|enable|disable]\n"
    "           [max_tx_rate MBIT]\n"
    "nswitch relay-add DEVICE MAC [vf VF]\n"
    "nswitch relay-remove DEVICE MAC\n"
    "nswitch acl-add DEVICE allow|drop|mirror [src MAC|OUI] [dst MAC|OUI]\n"
    "           [vlan ID] [ethertype TYPE] [position N]\n"
    "nswitch acl-remove DEVICE RULE\n"
    "nswitch mirror DEVICE MONITOR_VF [vf VF | group OUI]\n"
    "nswitch mirror-stop DEVICE\n"
    "nswitch capture DEVICE FILE [vf VF | group OUI]\n"
    "nswitch capture-stop DEVICE\n";

/* The words of a command after its fixed ones: "name value" pairs. */
typedef struct Words {
    char **word;
    int count;
    int next;
} Words;

static bool parse_number(const char *text, const char *name, uint64_t max,
                         uint64_t *value, Error **errp)
{
    if (qemu_strtou64(text, NULL, 0, value) < 0 || *value > max) {
        error_setg(errp, "'%s' must be a number from 0 to %" PRIu64
                   ", not '%s'", name, max, text);
        return false;
    }
    return true;
}

static bool parse_on_off(const char *text, const char *name, bool *value,
                         Error **errp)
{
    if (!strcmp(text, "on") || !strcmp(text, "off")) {
        *value = !strcmp(text, "on");
        return true;
    }
    error_setg(errp, "'%s' must be on or off, not '%s'", name, text);
    return false;
}

/* The next "name value" pair, or false at the end or on a lone name. */
static bool next_pair(Words *w, const char **name, const char **value,
                      Error **errp)
{
    if (w->next >= w->count) {
        return false;
    }
    if (w->next + 1 >= w->count) {
        error_setg(errp, "'%s' needs a value", w->word[w->next]);
        return false;
    }
    *name = w->word[w->next];
    *value = w->word[w->next + 1];
    w->next += 2;
    return true;
}

/* Frames of one VF or one group, for mirror and capture. */
typedef struct Selection {
    bool has_vf;
    uint64_t vf;
    const char *group;
} Selection;

static bool parse_selection(Words *w, Selection *sel, Error **errp)
{
    const char *name, *value;
    ERRP_GUARD();

    while (next_pair(w, &name, &value, errp)) {
        if (!strcmp(name, "vf")) {
            sel->has_vf = true;
            if (!parse_number(value, name, UINT16_MAX, &sel->vf, errp)) {
                return false;
            }
        } else if (!strcmp(name, "group")) {
            sel->group = value;
        } else {
            error_setg(errp, "unknown argument '%s'", name);
            return false;
        }
    }
    return !*errp;
}

typedef struct VfSettings {
    const char *mac, *group;
    bool has_vlan, has_qos, has_spoofchk, has_trust, has_state, has_rate;
    uint64_t vlan, qos, rate;
    bool spoofchk, trust;
    NSwitchLinkState state;
} VfSettings;

static bool parse_vf_setting(VfSettings *s, const char *name,
                             const char *value, Error **errp)
{
    int state;

    if (!strcmp(name, "mac")) {
        s->mac = value;
    } else if (!strcmp(name, "group")) {
        s->group = value;
    } else if (!strcmp(name, "vlan")) {
        s->has_vlan = true;
        return parse_number(value, name, UINT16_MAX, &s->vlan, errp);
    } else if (!strcmp(name, "qos")) {
        s->has_qos = true;
        return parse_number(value, name, UINT8_MAX, &s->qos, errp);
    } else if (!strcmp(name, "spoofchk")) {
        s->has_spoofchk = true;
        return parse_on_off(value, name, &s->spoofchk, errp);
    } else if (!strcmp(name, "trust")) {
        s->has_trust = true;
        return parse_on_off(value, name, &s->trust, errp);
    } else if (!strcmp(name, "state")) {
        state = qapi_enum_parse(&NSwitchLinkState_lookup, value, -1, NULL);
        if (state < 0) {
            error_setg(errp, "'state' must be auto, enable or disable, "
                       "not '%s'", value);
            return false;
        }
        s->has_state = true;
        s->state = state;
    } else if (!strcmp(name, "max_tx_rate")) {
        s->has_rate = true;
        return parse_number(value, name, UINT32_MAX, &s->rate, errp);
    } else {
        error_setg(errp, "unknown VF setting '%s'", name);
        return false;
    }
    return true;
}

static void vf_set(const char *device, const char *vf_text, Words *w,
                   Error **errp)
{
    VfSettings s = { 0 };
    const char *name, *value;
    uint64_t vf;
    ERRP_GUARD();

    if (!parse_number(vf_text, "VF", UINT16_MAX, &vf, errp)) {
        return;
    }
    while (next_pair(w, &name, &value, errp)) {
        if (!parse_vf_setting(&s, name, value, errp)) {
            return;
        }
    }
    if (*errp) {
        return;
    }
    qmp_nswitch_vf_set(device, vf, s.mac, s.group, s.has_vlan, s.vlan,
                       s.has_qos, s.qos, s.has_spoofchk, s.spoofchk,
                       s.has_trust, s.trust, s.has_state, s.state,
                       s.has_rate, s.rate, errp);
}

static void relay_add(const char *device, const char *mac, Words *w,
                      Error **errp)
{
    Selection sel = { 0 };

    if (!parse_selection(w, &sel, errp)) {
        return;
    }
    if (sel.group) {
        error_setg(errp, "unknown argument 'group'");
        return;
    }
    qmp_nswitch_relay_add(device, mac, sel.has_vf, sel.vf, errp);
}

static void acl_add(Monitor *mon, const char *device, const char *action_text,
                    Words *w, Error **errp)
{
    const char *name, *value, *src = NULL, *dst = NULL;
    bool has_vlan = false, has_type = false, has_position = false;
    uint64_t vlan = 0, type = 0, position = 0;
    g_autoptr(NSwitchAclAdded) added = NULL;
    int action = qapi_enum_parse(&NSwitchRuleAction_lookup, action_text, -1,
                                 NULL);
    ERRP_GUARD();

    if (action < 0) {
        error_setg(errp, "the action must be allow, drop or mirror, not '%s'",
                   action_text);
        return;
    }
    while (next_pair(w, &name, &value, errp)) {
        if (!strcmp(name, "src")) {
            src = value;
        } else if (!strcmp(name, "dst")) {
            dst = value;
        } else if (!strcmp(name, "vlan")) {
            has_vlan = parse_number(value, name, UINT16_MAX, &vlan, errp);
        } else if (!strcmp(name, "ethertype")) {
            has_type = parse_number(value, name, UINT16_MAX, &type, errp);
        } else if (!strcmp(name, "position")) {
            has_position = parse_number(value, name, UINT32_MAX, &position,
                                        errp);
        } else {
            error_setg(errp, "unknown ACL match '%s'", name);
        }
        if (*errp) {
            return;
        }
    }
    if (*errp) {
        return;
    }
    added = qmp_nswitch_acl_add(device, action, src, dst, has_vlan, vlan,
                                has_type, type, has_position, position, errp);
    if (added) {
        monitor_printf(mon, "rule %u\n", added->rule);
    }
}

static void print_capture(Monitor *mon, NSwitchCaptureInfo *info)
{
    if (info) {
        monitor_printf(mon, "%" PRIu64 " frames in %s\n", info->frames,
                       info->file);
        qapi_free_NSwitchCaptureInfo(info);
    }
}

/* @arg is the first word after the device, NULL if none. */
static void run(Monitor *mon, const char *command, const char *device,
                const char *arg, Words *w, Error **errp)
{
    Selection sel = { 0 };
    uint64_t number;

    if (!strcmp(command, "mirror-stop") || !strcmp(command, "capture-stop")) {
        if (arg) {
            error_setg(errp, "'%s' takes only the device", command);
        } else if (command[0] == 'm') {
            qmp_nswitch_mirror_stop(device, errp);
        } else {
            print_capture(mon, qmp_nswitch_capture_stop(device, errp));
        }
        return;
    }
    if (!arg) {
        error_setg(errp, "'%s' needs more arguments; see 'nswitch help'",
                   command);
    } else if (!strcmp(command, "vf")) {
        vf_set(device, arg, w, errp);
    } else if (!strcmp(command, "relay-add")) {
        relay_add(device, arg, w, errp);
    } else if (!strcmp(command, "relay-remove") && w->next == w->count) {
        qmp_nswitch_relay_remove(device, arg, errp);
    } else if (!strcmp(command, "acl-add")) {
        acl_add(mon, device, arg, w, errp);
    } else if (!strcmp(command, "acl-remove") && w->next == w->count) {
        if (parse_number(arg, "rule", UINT32_MAX, &number, errp)) {
            qmp_nswitch_acl_remove(device, number, errp);
        }
    } else if (!strcmp(command, "mirror")) {
        if (parse_number(arg, "monitor VF", UINT16_MAX, &number, errp) &&
            parse_selection(w, &sel, errp)) {
            qmp_nswitch_mirror_start(device, number, sel.has_vf, sel.vf,
                                     sel.group, errp);
        }
    } else if (!strcmp(command, "capture")) {
        if (parse_selection(w, &sel, errp)) {
            qmp_nswitch_capture_start(device, arg, sel.has_vf, sel.vf,
                                      sel.group, errp);
        }
    } else {
        error_setg(errp, "unknown subcommand or arguments '%s'; see "
                   "'nswitch help'", command);
    }
}

void hmp_nswitch(Monitor *mon, const QDict *qdict)
{
    g_auto(GStrv) words = g_strsplit_set(qdict_get_str(qdict, "command"),
                                         " \t", -1);
    g_autofree char **word = g_new0(char *, g_strv_length(words) + 1);
    Words w = { .word = word };
    Error *err = NULL;

    for (char **p = words; *p; p++) {
        if (**p) {
            word[w.count++] = *p;
        }
    }
    if (!w.count || !strcmp(word[0], "help")) {
        monitor_printf(mon, "%s", usage);
        return;
    }
    if (w.count < 2) {
        error_setg(&err, "'%s' needs the nswitch-nic's id; see "
                   "'nswitch help'", word[0]);
    } else {
        w.next = w.count > 2 ? 3 : 2;
        run(mon, word[0], word[1], w.count > 2 ? word[2] : NULL, &w, &err);
    }
    hmp_handle_error(mon, err);
}
