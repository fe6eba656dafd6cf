/*
 * nswitch-nic: QMP commands of a QEMU built without the device
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-nswitch.h"

NSwitchCardInfoList *qmp_query_nswitch(Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
    return NULL;
}

HumanReadableText *qmp_x_query_nswitch(Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
    return NULL;
}

void qmp_nswitch_vf_set(const char *device, uint16_t vf, const char *mac,
                        const char *group, bool has_vlan, uint16_t vlan,
                        bool has_qos, uint8_t qos, bool has_spoofchk,
                        bool spoofchk, bool has_trust, bool trust,
                        bool has_link_state, NSwitchLinkState link_state,
                        bool has_max_tx_rate, uint32_t max_tx_rate,
                        Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
}

void qmp_nswitch_relay_add(const char *device, const char *mac, bool has_vf,
                           uint16_t vf, Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
}

void qmp_nswitch_relay_remove(const char *device, const char *mac,
                              Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
}

NSwitchAclAdded *qmp_nswitch_acl_add(const char *device,
                                     NSwitchRuleAction action, const char *src,
                                     const char *dst, bool has_vlan,
                                     uint16_t vlan, bool has_ethertype,
                                     uint16_t ethertype, bool has_position,
                                     uint32_t position, Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
    return NULL;
}

void qmp_nswitch_acl_remove(const char *device, uint32_t rule, Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
}

void qmp_nswitch_inter_port_relay_set(const char *device, bool enable,
                                      Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
}

void qmp_nswitch_mirror_start(const char *device, uint16_t monitor_vf,
                              bool has_vf, uint16_t vf, const char *group,
                              Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
}

void qmp_nswitch_mirror_stop(const char *device, Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
}

void qmp_nswitch_capture_start(const char *device, const char *file,
                               bool has_vf, uint16_t vf, const char *group,
                               Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
}

NSwitchCaptureInfo *qmp_nswitch_capture_stop(const char *device, Error **errp)
{
    error_setg(errp, "nswitch-nic is not compiled into this QEMU");
    return NULL;
}
