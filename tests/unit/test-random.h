/*
 * A small deterministic PRNG for the unit tests' randomized checks, so a
 * failure replays the same way every run.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_TEST_RANDOM_H
#define NSWITCH_TEST_RANDOM_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

#endif
