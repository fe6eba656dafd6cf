/*
 * MAC addresses for the unit tests and benchmarks: an OUI, then a 24-bit
 * station number.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_TEST_MAC_H
#define NSWITCH_TEST_MAC_H

#include <stdint.h>

static inline void test_mac(uint8_t mac[6], uint32_t oui, uint32_t station)
{
    mac[0] = oui >> 16;
    mac[1] = oui >> 8;
    mac[2] = oui;
    mac[3] = station >> 16;
    mac[4] = station >> 8;
    mac[5] = station;
}

#endif
