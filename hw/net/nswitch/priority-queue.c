/*
 * nswitch core: held frames served by 802.1p priority
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/priority-queue.h"

#include <stddef.h>
#include <string.h>

void nswitch_priority_queue_init(NSwitchPriorityQueue *queue,
                                 uint32_t capacity)
{
    memset(queue, 0, sizeof(*queue));
    queue->capacity = capacity;
}

static void append(NSwitchPriorityQueue *queue, NSwitchQueuedFrame *frame)
{
    uint8_t class = frame->priority;

    frame->next = NULL;
    frame->prev = queue->tail[class];
    if (queue->tail[class]) {
        queue->tail[class]->next = frame;
    } else {
        queue->head[class] = frame;
    }
    queue->tail[class] = frame;
    queue->count++;
}

static void unlink_frame(NSwitchPriorityQueue *queue,
                         NSwitchQueuedFrame *frame)
{
    uint8_t class = frame->priority;

    if (frame->prev) {
        frame->prev->next = frame->next;
    } else {
        queue->head[class] = frame->next;
    }
    if (frame->next) {
        frame->next->prev = frame->prev;
    } else {
        queue->tail[class] = frame->prev;
    }
    frame->prev = frame->next = NULL;
    queue->count--;
}

/* The newest frame of the lowest class below @priority, or NULL. */
static NSwitchQueuedFrame *victim_for(const NSwitchPriorityQueue *queue,
                                      uint8_t priority)
{
    for (uint8_t class = 0; class < priority && class < NSWITCH_PRIORITIES;
         class++) {
        if (queue->tail[class]) {
            return queue->tail[class];
        }
    }
    return NULL;
}

bool nswitch_priority_queue_accepts(const NSwitchPriorityQueue *queue,
                                    uint8_t priority)
{
    return queue->count < queue->capacity || victim_for(queue, priority);
}

NSwitchQueuedFrame *nswitch_priority_queue_push(NSwitchPriorityQueue *queue,
                                                NSwitchQueuedFrame *frame)
{
    NSwitchQueuedFrame *victim = NULL;

    if (frame->priority >= NSWITCH_PRIORITIES) {
        frame->priority = NSWITCH_PRIORITIES - 1;
    }
    if (queue->count >= queue->capacity) {
        victim = victim_for(queue, frame->priority);
        if (!victim) {
            return frame;
        }
        unlink_frame(queue, victim);
    }
    append(queue, frame);
    return victim;
}

NSwitchQueuedFrame *nswitch_priority_queue_pop(NSwitchPriorityQueue *queue)
{
    for (int class = NSWITCH_PRIORITIES - 1; class >= 0; class--) {
        NSwitchQueuedFrame *frame = queue->head[class];

        if (frame) {
            unlink_frame(queue, frame);
            return frame;
        }
    }
    return NULL;
}
