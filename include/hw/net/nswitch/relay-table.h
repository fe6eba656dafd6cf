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

typedef struct NSwitchRelayTable NSwitchRelayTable;

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
bool nswitch_relay_mac_is_assignable(const uint8_t mac[NSWITCH_MAC_LEN]);

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
 * Returns the entry for @mac or NULL, and counts the lookup. The pointer is
 * valid until the next add, remove or flush.
 */
const NSwitchRelayEntry *
nswitch_relay_table_lookup(NSwitchRelayTable *table,
                           const uint8_t mac[NSWITCH_MAC_LEN]);

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
