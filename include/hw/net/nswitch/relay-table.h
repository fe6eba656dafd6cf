/*
 * nswitch core: the OUI-keyed relay table of the in-card switch
 *
 * Maps each MAC address known to the card to the switch port that owns it,
 * and groups the entries into relay groups by OUI (the first three bytes of
 * the MAC): frames between members of one group are hairpinned inside the
 * card. A group exists while it has members or while it is pinned (a PF
 * pins the group of its OUI so that it survives with no VF enabled).
 *
 * Capacities are fixed when the table is made; no operation allocates
 * afterwards and lookups are O(1) whatever the number of entries.
 * This file knows nothing of QEMU: it builds standalone for unit tests,
 * benchmarks and fuzzing, and inside QEMU from the same source.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef NSWITCH_RELAY_TABLE_H
#define NSWITCH_RELAY_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "hw/net/nswitch/hash-index.h"

#define NSWITCH_MAC_LEN 6
#define NSWITCH_RELAY_NONE UINT32_MAX

/* Largest capacities a table accepts: 255 VFs per PF leave ample room. */
#define NSWITCH_RELAY_MAX_ENTRIES (1u << 20)
#define NSWITCH_RELAY_MAX_GROUPS  (1u << 16)

typedef enum NSwitchRelayStatus {
    NSWITCH_RELAY_OK = 0,
    NSWITCH_RELAY_INVALID_MAC,
    NSWITCH_RELAY_EXISTS,
    NSWITCH_RELAY_NOT_FOUND,
    NSWITCH_RELAY_TABLE_FULL,
    NSWITCH_RELAY_GROUPS_FULL,
    NSWITCH_RELAY_NOT_A_FUNCTION,
    NSWITCH_RELAY_OWN_MAC,
    NSWITCH_RELAY_PINNED,
} NSwitchRelayStatus;

typedef struct NSwitchRelayEntry {
    uint8_t mac[NSWITCH_MAC_LEN];
    uint32_t port;    /* opaque to the table: the owner's port number */
    uint32_t group;   /* relay group of the MAC's OUI */
} NSwitchRelayEntry;

typedef struct NSwitchRelayGroup {
    uint32_t oui;     /* 0xAABBCC for MACs AA:BB:CC:xx:xx:xx */
    uint32_t members;
    bool pinned;
} NSwitchRelayGroup;

typedef struct NSwitchRelayCounters {
    uint64_t lookups;
    uint64_t lookup_misses;
    uint64_t adds;
    uint64_t removes;
    uint64_t rejected_invalid;
    uint64_t rejected_exists;
    uint64_t rejected_table_full;
    uint64_t rejected_groups_full;
} NSwitchRelayCounters;

/* Tags every key so that no valid key is 0, the index's empty marker. */
#define NSWITCH_RELAY_KEY_PRESENT (1ULL << 63)

typedef struct NSwitchRelaySlot {
    NSwitchRelayEntry entry;    /* first, so an entry pointer is its slot */
    uint32_t group_prev;
    uint32_t group_next;
} NSwitchRelaySlot;

/*
 * Not opaque, for the inline lookup below: the forwarding decision makes
 * one per frame, and its call was a sixth of the decision. Only
 * relay-table.c and the inline functions here touch the fields.
 */
typedef struct NSwitchRelayTable {
    NSwitchRelaySlot *slots;
    uint32_t count;
    uint32_t capacity;
    NSwitchHashIndex by_mac;

    struct NSwitchRelayGroupSlot *groups;
    uint32_t group_capacity;
    uint32_t free_groups;       /* list threaded through head */
    NSwitchHashIndex by_oui;

    NSwitchRelayCounters counters;
} NSwitchRelayTable;

/* Any injective map of the 6 bytes will do: two loads, in host order. */
static inline uint64_t nswitch_relay_mac_key(const uint8_t mac[NSWITCH_MAC_LEN])
{
    uint32_t first;
    uint16_t last;

    memcpy(&first, mac, sizeof(first));
    memcpy(&last, mac + sizeof(first), sizeof(last));
    return first | ((uint64_t)last << 32) | NSWITCH_RELAY_KEY_PRESENT;
}

/* Returns NULL when a capacity is 0 or above its NSWITCH_RELAY_MAX_*. */
NSwitchRelayTable *nswitch_relay_table_new(uint32_t max_entries,
                                           uint32_t max_groups);
void nswitch_relay_table_free(NSwitchRelayTable *table);

/* Removes every entry and unpinned group; pinned groups and counters stay. */
void nswitch_relay_table_flush(NSwitchRelayTable *table);

/* A human-readable sentence for @status, e.g. for an Error or a log. */
const char *nswitch_relay_status_message(NSwitchRelayStatus status);

uint32_t nswitch_relay_oui_of(const uint8_t mac[NSWITCH_MAC_LEN]);
/* Unicast and not all-zero: the MACs that may own a port. */
static inline bool
nswitch_relay_mac_is_assignable(const uint8_t mac[NSWITCH_MAC_LEN])
{
    return !(mac[0] & 1) &&
           nswitch_relay_mac_key(mac) != NSWITCH_RELAY_KEY_PRESENT;
}

/*
 * Adds @mac -> @port to the relay group of the MAC's OUI, creating the
 * group if needed. Refuses multicast and all-zero MACs, a MAC already in
 * the table, and a full table or group list.
 */
NSwitchRelayStatus nswitch_relay_table_add(NSwitchRelayTable *table,
                                           const uint8_t mac[NSWITCH_MAC_LEN],
                                           uint32_t port);
NSwitchRelayStatus
nswitch_relay_table_remove(NSwitchRelayTable *table,
                           const uint8_t mac[NSWITCH_MAC_LEN]);

/*
 * As nswitch_relay_table_lookup(), but uncounted: for a caller that may
 * yet leave the frame to a path that looks it up again. It counts the
 * lookup it keeps with nswitch_relay_table_count_hit().
 */
static inline const NSwitchRelayEntry *
nswitch_relay_table_find(const NSwitchRelayTable *table,
                         const uint8_t mac[NSWITCH_MAC_LEN])
{
    const NSwitchHashBucket *bucket =
        nswitch_hash_index_find(&table->by_mac, nswitch_relay_mac_key(mac));

    return bucket ? &table->slots[bucket->value].entry : NULL;
}

static inline void nswitch_relay_table_count_hit(NSwitchRelayTable *table)
{
    table->counters.lookups++;
}

/*
 * Returns the entry for @mac or NULL, and counts the lookup. The pointer is
 * valid until the next add, remove or flush.
 */
static inline const NSwitchRelayEntry *
nswitch_relay_table_lookup(NSwitchRelayTable *table,
                           const uint8_t mac[NSWITCH_MAC_LEN])
{
    const NSwitchRelayEntry *entry = nswitch_relay_table_find(table, mac);

    table->counters.lookups++;
    if (!entry) {
        table->counters.lookup_misses++;
    }
    return entry;
}

/* Entries in no particular order: index 0 .. count - 1. */
uint32_t nswitch_relay_table_count(const NSwitchRelayTable *table);
const NSwitchRelayEntry *
nswitch_relay_table_entry(const NSwitchRelayTable *table, uint32_t index);
uint32_t nswitch_relay_table_capacity(const NSwitchRelayTable *table);
const NSwitchRelayCounters *
nswitch_relay_table_counters(const NSwitchRelayTable *table);

/* Creates the group of @oui if needed and keeps it while it has no member. */
NSwitchRelayStatus nswitch_relay_group_pin(NSwitchRelayTable *table,
                                           uint32_t oui, uint32_t *group);
/* Lets the group go once empty; NOT_FOUND when no such group exists. */
NSwitchRelayStatus nswitch_relay_group_unpin(NSwitchRelayTable *table,
                                             uint32_t oui);
/* Returns the group id of @oui or NSWITCH_RELAY_NONE. */
uint32_t nswitch_relay_group_find(const NSwitchRelayTable *table, uint32_t oui);
/* Group ids are 0 .. group capacity - 1; returns NULL for an unused id. */
const NSwitchRelayGroup *nswitch_relay_group_get(const NSwitchRelayTable *table,
                                                 uint32_t group);
uint32_t nswitch_relay_group_capacity(const NSwitchRelayTable *table);

/*
 * Members of @group: first, then next until NULL. Members must not be
 * added or removed while walking.
 */
const NSwitchRelayEntry *
nswitch_relay_group_first(const NSwitchRelayTable *table, uint32_t group);
const NSwitchRelayEntry *
nswitch_relay_group_next(const NSwitchRelayTable *table,
                         const NSwitchRelayEntry *entry);

#endif
