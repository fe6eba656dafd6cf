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
