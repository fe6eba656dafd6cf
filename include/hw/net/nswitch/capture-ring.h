/*
 * nswitch core: the byte ring between a capture and its file's writer
 *
 * The datapath puts whole records in; a writer takes bytes out as fast
 * as the file takes them, in another thread. The ring never blocks and
 * never grows: a record that does not fit is refused, so that a slow or
 * stuck file costs captured frames, never the guests' traffic. The
 * caller serialises access (one lock for both sides).
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_CAPTURE_RING_H
#define NSWITCH_CAPTURE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct NSwitchCaptureRing NSwitchCaptureRing;

/*
 * A ring of @capacity bytes holding at most @max_records records (both at
 * least 1, records below 4 GiB); NULL if not.
 */
NSwitchCaptureRing *nswitch_capture_ring_new(size_t capacity,
                                             size_t max_records);
void nswitch_capture_ring_free(NSwitchCaptureRing *ring);

/* Appends a record of @len bytes (at least 1); false if it does not fit. */
bool nswitch_capture_ring_put(NSwitchCaptureRing *ring, const uint8_t *record,
                              size_t len);

/* The unread bytes that follow each other in memory, and where they are. */
size_t nswitch_capture_ring_peek(const NSwitchCaptureRing *ring,
                                 const uint8_t **data);

/* Marks @n peeked bytes read; returns the records they completed. */
uint32_t nswitch_capture_ring_consume(NSwitchCaptureRing *ring, size_t n);

/* Forgets every unread byte; returns the records not read whole. */
uint32_t nswitch_capture_ring_discard(NSwitchCaptureRing *ring);

size_t nswitch_capture_ring_used(const NSwitchCaptureRing *ring);

#endif
