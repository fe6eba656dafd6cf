/*
 * nswitch core: the frames a function's port holds while its receive ring
 * is full, served by 802.1p priority
 *
 * Eight classes, one per priority code point; the highest non-empty class
 * goes first, each class in arrival order. When the queue is full, a frame
 * of higher priority pushes out the newest frame of the lowest class below
 * it, and a frame with nothing below it is refused: under congestion the
 * low classes lose. Frames are the caller's: it embeds a node in each,
 * so the queue never allocates.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_PRIORITY_QUEUE_H
#define NSWITCH_PRIORITY_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#define NSWITCH_PRIORITIES 8

typedef struct NSwitchQueuedFrame {
    struct NSwitchQueuedFrame *prev;
    struct NSwitchQueuedFrame *next;
    uint8_t priority;               /* 0 (lowest) .. 7; set by the caller */
} NSwitchQueuedFrame;

typedef struct NSwitchPriorityQueue {
    NSwitchQueuedFrame *head[NSWITCH_PRIORITIES];
    NSwitchQueuedFrame *tail[NSWITCH_PRIORITIES];
    uint32_t count;
    uint32_t capacity;
} NSwitchPriorityQueue;

void nswitch_priority_queue_init(NSwitchPriorityQueue *queue,
                                 uint32_t capacity);

/*
 * Queues @frame. Returns NULL when it fits, else the frame that does not
 * stay: the one pushed out, or @frame itself when refused.
 */
NSwitchQueuedFrame *nswitch_priority_queue_push(NSwitchPriorityQueue *queue,
                                                NSwitchQueuedFrame *frame);

/* Whether a frame of @priority would stay if pushed now. */
bool nswitch_priority_queue_accepts(const NSwitchPriorityQueue *queue,
                                    uint8_t priority);

/* The next frame to deliver, taken off the queue; NULL when empty. */
NSwitchQueuedFrame *nswitch_priority_queue_pop(NSwitchPriorityQueue *queue);

#endif
