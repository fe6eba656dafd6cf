/*
 * nswitch core: the byte ring between a capture and its file's writer
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/capture-ring.h"

#include <stdlib.h>
#include <string.h>

struct NSwitchCaptureRing {
    uint8_t *bytes;
    size_t capacity;
    size_t start;                /* first unread byte */
    size_t used;
    /* Lengths of the records in the ring, oldest first (a ring too). */
    uint32_t *records;
    size_t max_records;
    size_t record_start;
    size_t record_count;
    size_t first_record_left;    /* unread bytes of the oldest record */
};

NSwitchCaptureRing *nswitch_capture_ring_new(size_t capacity,
                                             size_t max_records)
{
    NSwitchCaptureRing *ring;

    if (!capacity || !max_records) {
        return NULL;
    }
    ring = calloc(1, sizeof(*ring));
    if (!ring) {
        return NULL;
    }
    ring->bytes = malloc(capacity);
    ring->records = calloc(max_records, sizeof(*ring->records));
    if (!ring->bytes || !ring->records) {
        nswitch_capture_ring_free(ring);
        return NULL;
    }
    ring->capacity = capacity;
    ring->max_records = max_records;
    return ring;
}

void nswitch_capture_ring_free(NSwitchCaptureRing *ring)
{
    if (ring) {
        free(ring->bytes);
        free(ring->records);
        free(ring);
    }
}

bool nswitch_capture_ring_put(NSwitchCaptureRing *ring, const uint8_t *record,
                              size_t len)
{
    size_t end, first;

    if (!len || len > UINT32_MAX || len > ring->capacity - ring->used ||
        ring->record_count == ring->max_records) {
        return false;
    }
    end = (ring->start + ring->used) % ring->capacity;
    first = ring->capacity - end < len ? ring->capacity - end : len;
    memcpy(ring->bytes + end, record, first);
    memcpy(ring->bytes, record + first, len - first);
    ring->used += len;
    ring->records[(ring->record_start + ring->record_count) %
                  ring->max_records] = len;
    if (!ring->record_count) {
        ring->first_record_left = len;
    }
    ring->record_count++;
    return true;
}

size_t nswitch_capture_ring_peek(const NSwitchCaptureRing *ring,
                                 const uint8_t **data)
{
    size_t to_end = ring->capacity - ring->start;

    *data = ring->bytes + ring->start;
    return ring->used < to_end ? ring->used : to_end;
}

uint32_t nswitch_capture_ring_consume(NSwitchCaptureRing *ring, size_t n)
{
    uint32_t completed = 0;

    if (n > ring->used) {
        n = ring->used;
    }
    ring->start = (ring->start + n) % ring->capacity;
    ring->used -= n;
    while (n && ring->record_count) {
        size_t step = n < ring->first_record_left ? n : ring->first_record_left;

        n -= step;
        ring->first_record_left -= step;
        if (ring->first_record_left) {
            break;
        }
        completed++;
        ring->record_start = (ring->record_start + 1) % ring->max_records;
        ring->record_count--;
        if (ring->record_count) {
            ring->first_record_left = ring->records[ring->record_start];
        }
    }
    return completed;
}

uint32_t nswitch_capture_ring_discard(NSwitchCaptureRing *ring)
{
    uint32_t lost = ring->record_count;

    ring->start = 0;
    ring->used = 0;
    ring->record_start = 0;
    ring->record_count = 0;
    ring->first_record_left = 0;
    return lost;
}

size_t nswitch_capture_ring_used(const NSwitchCaptureRing *ring)
{
    return ring->used;
}
