/*
 * Counts the core's heap allocations in unit tests.
 *
 * Test binaries link this file with -Wl,--wrap=malloc,calloc,realloc so
 * that the core's allocator calls pass through here.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_TEST_ALLOCATION_COUNTER_H
#define NSWITCH_TEST_ALLOCATION_COUNTER_H

#include <stddef.h>

/* Allocations made by the code under test since the program started. */
size_t allocation_count(void);

#endif
