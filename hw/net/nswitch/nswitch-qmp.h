/*
 * nswitch-nic: text forms shared by the QMP and HMP commands
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_NET_NSWITCH_QMP_H
#define HW_NET_NSWITCH_QMP_H

#include "hw/net/nswitch-nic.h"
#include "nswitch-capture.h"

/* xx:xx:xx:xx:xx:xx and xx:xx:xx */
char *nswitch_mac_text(const uint8_t *mac);
char *nswitch_oui_text(uint32_t oui);

/* The running capture as query-nswitch shows it. */
/* What a capture says of itself; NULL for none. */
NSwitchCaptureInfo *nswitch_capture_info(NSwitchCapture *capture);

#endif
