/*
 * nswitch core: the OUI-keyed relay table of the in-card switch
 *
 * Entries are kept dense in one array (removal moves the last entry into
 * the hole) so that iteration costs the number of entries, not the
 * capacity. Each group threads its members on a doubly linked list of
 * array indices, which makes flooding to a group O(members).
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/relay-table.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct NSwitchRelayGroupSlot {
    NSwitchRelayGroup group;
    bool in_use;
    uint32_t head;              /* first member, or the next free group */
} RelayGroupSlot;

static uint64_t oui_key(uint32_t oui)
{
    return (uint64_t)oui | NSWITCH_RELAY_KEY_PRESENT;
}

uint32_t nswitch_relay_oui_of(const uint8_t mac[NSWITCH_MAC_LEN])
{
    return ((uint32_t)mac[0] << 16) | ((uint32_t)mac[1] << 8) | mac[2];
}

const char *nswitch_relay_status_message(NSwitchRelayStatus status)
{
    switch (status) {
    case NSWITCH_RELAY_OK:
        return "success";
    case NSWITCH_RELAY_INVALID_MAC:
        return "MAC address is multicast or all-zero and cannot own a port";
    case NSWITCH_RELAY_EXISTS:
        return "MAC address is already in the relay table";
    case NSWITCH_RELAY_NOT_FOUND:
        return "no such entry in the relay table";
    case NSWITCH_RELAY_TABLE_FULL:
        return "relay table is full";
    case NSWITCH_RELAY_GROUPS_FULL:
        return "no room for another relay group";
    case NSWITCH_RELAY_NOT_A_FUNCTION:
        return "entries can point at the PF or a VF only";
    case NSWITCH_RELAY_OWN_MAC:
        return "MAC address is a function's own; it goes with the function";
    case NSWITCH_RELAY_PINNED:
        return "the administrator pinned this function's MAC address";
    }
    return "unknown relay table status";
}

static void free_group_list_init(NSwitchRelayTable *table)
{
    table->free_groups = NSWITCH_RELAY_NONE;
    for (uint32_t id = table->group_capacity; id-- > 0;) {
        table->groups[id].in_use = false;
        table->groups[id].head = table->free_groups;
        table->free_groups = id;
    }
}

NSwitchRelayTable *nswitch_relay_table_new(uint32_t max_entries,
                                           uint32_t max_groups)
{
    NSwitchRelayTable *table;

    if (!max_entries || max_entries > NSWITCH_RELAY_MAX_ENTRIES ||
        !max_groups || max_groups > NSWITCH_RELAY_MAX_GROUPS) {
        return NULL;
    }
    table = calloc(1, sizeof(*table));
    if (!table) {
        return NULL;
    }
    table->capacity = max_entries;
    table->group_capacity = max_groups;
    table->slots = calloc(max_entries, sizeof(*table->slots));
    table->groups = calloc(max_groups, sizeof(*table->groups));
    if (!table->slots || !table->groups ||
        !nswitch_hash_index_init(&table->by_mac, max_entries) ||
        !nswitch_hash_index_init(&table->by_oui, max_groups)) {
        nswitch_relay_table_free(table);
        return NULL;
    }
    free_group_list_init(table);
    return table;
}

void nswitch_relay_table_free(NSwitchRelayTable *table)
{
    if (!table) {
        return;
    }
    nswitch_hash_index_destroy(&table->by_mac);
    nswitch_hash_index_destroy(&table->by_oui);
    free(table->slots);
    free(table->groups);
    free(table);
}

static NSwitchRelayStatus group_acquire(NSwitchRelayTable *table,
                                        uint32_t oui, uint32_t *group)
{
    NSwitchHashBucket *bucket = nswitch_hash_index_find(&table->by_oui,
                                                        oui_key(oui));
    RelayGroupSlot *slot;
    uint32_t id;

    if (bucket) {
        *group = bucket->value;
        return NSWITCH_RELAY_OK;
    }
    id = table->free_groups;
    if (id == NSWITCH_RELAY_NONE) {
        return NSWITCH_RELAY_GROUPS_FULL;
    }
    slot = &table->groups[id];
    table->free_groups = slot->head;
    slot->group = (NSwitchRelayGroup) { .oui = oui };
    slot->in_use = true;
    slot->head = NSWITCH_RELAY_NONE;
    nswitch_hash_index_insert(&table->by_oui, oui_key(oui), id);
    *group = id;
    return NSWITCH_RELAY_OK;
}

static void group_release_if_unused(NSwitchRelayTable *table, uint32_t id)
{
    RelayGroupSlot *slot = &table->groups[id];

    if (slot->group.members || slot->group.pinned) {
        return;
    }
    nswitch_hash_index_remove(&table->by_oui, oui_key(slot->group.oui));
    slot->in_use = false;
    slot->head = table->free_groups;
    table->free_groups = id;
}

void nswitch_relay_table_flush(NSwitchRelayTable *table)
{
    for (uint32_t id = 0; id < table->group_capacity; id++) {
        RelayGroupSlot *slot = &table->groups[id];

        if (!slot->in_use) {
            continue;
        }
        slot->group.members = 0;
        slot->head = NSWITCH_RELAY_NONE;
        group_release_if_unused(table, id);
    }
    table->count = 0;
    nswitch_hash_index_clear(&table->by_mac);
}

static void link_into_group(NSwitchRelayTable *table, uint32_t index)
{
    NSwitchRelaySlot *slot = &table->slots[index];
    RelayGroupSlot *group = &table->groups[slot->entry.group];

    slot->group_prev = NSWITCH_RELAY_NONE;
    slot->group_next = group->head;
    if (group->head != NSWITCH_RELAY_NONE) {
        table->slots[group->head].group_prev = index;
    }
    group->head = index;
    group->group.members++;
}

static void unlink_from_group(NSwitchRelayTable *table, uint32_t index)
{
    NSwitchRelaySlot *slot = &table->slots[index];
    RelayGroupSlot *group = &table->groups[slot->entry.group];

    if (slot->group_prev != NSWITCH_RELAY_NONE) {
        table->slots[slot->group_prev].group_next = slot->group_next;
    } else {
        group->head = slot->group_next;
    }
    if (slot->group_next != NSWITCH_RELAY_NONE) {
        table->slots[slot->group_next].group_prev = slot->group_prev;
    }
    group->group.members--;
}

/* Moves the entry at @from into the free slot @to, keeping links valid. */
static void move_slot(NSwitchRelayTable *table, uint32_t from, uint32_t to)
{
    NSwitchRelaySlot *slot = &table->slots[to];

    *slot = table->slots[from];
    nswitch_hash_index_find(&table->by_mac,
                            nswitch_relay_mac_key(slot->entry.mac))->value = to;
    if (slot->group_prev != NSWITCH_RELAY_NONE) {
        table->slots[slot->group_prev].group_next = to;
    } else {
        table->groups[slot->entry.group].head = to;
    }
    if (slot->group_next != NSWITCH_RELAY_NONE) {
        table->slots[slot->group_next].group_prev = to;
    }
}

NSwitchRelayStatus nswitch_relay_table_add(NSwitchRelayTable *table,
                                           const uint8_t mac[NSWITCH_MAC_LEN],
                                           uint32_t port)
{
    uint64_t key = nswitch_relay_mac_key(mac);
    NSwitchRelayStatus status;
    NSwitchRelaySlot *slot;
    uint32_t group;

    if (!nswitch_relay_mac_is_assignable(mac)) {
        table->counters.rejected_invalid++;
        return NSWITCH_RELAY_INVALID_MAC;
    }
    if (nswitch_hash_index_find(&table->by_mac, key)) {
        table->counters.rejected_exists++;
        return NSWITCH_RELAY_EXISTS;
    }
    if (table->count == table->capacity) {
        table->counters.rejected_table_full++;
        return NSWITCH_RELAY_TABLE_FULL;
    }
    status = group_acquire(table, nswitch_relay_oui_of(mac), &group);
    if (status != NSWITCH_RELAY_OK) {
        table->counters.rejected_groups_full++;
        return status;
    }
    slot = &table->slots[table->count];
    memcpy(slot->entry.mac, mac, NSWITCH_MAC_LEN);
    slot->entry.port = port;
    slot->entry.group = group;
    link_into_group(table, table->count);
    nswitch_hash_index_insert(&table->by_mac, key, table->count);
    table->count++;
    table->counters.adds++;
    return NSWITCH_RELAY_OK;
}

NSwitchRelayStatus
nswitch_relay_table_remove(NSwitchRelayTable *table,
                           const uint8_t mac[NSWITCH_MAC_LEN])
{
    uint64_t key = nswitch_relay_mac_key(mac);
    NSwitchHashBucket *bucket = nswitch_hash_index_find(&table->by_mac, key);
    uint32_t index, group, last;

    if (!bucket) {
        return NSWITCH_RELAY_NOT_FOUND;
    }
    index = bucket->value;
    group = table->slots[index].entry.group;
    unlink_from_group(table, index);
    nswitch_hash_index_remove(&table->by_mac, key);
    last = --table->count;
    if (index != last) {
        move_slot(table, last, index);
    }
    group_release_if_unused(table, group);
    table->counters.removes++;
    return NSWITCH_RELAY_OK;
}

uint32_t nswitch_relay_table_count(const NSwitchRelayTable *table)
{
    return table->count;
}

const NSwitchRelayEntry *
nswitch_relay_table_entry(const NSwitchRelayTable *table, uint32_t index)
{
    return index < table->count ? &table->slots[index].entry : NULL;
}

uint32_t nswitch_relay_table_capacity(const NSwitchRelayTable *table)
{
    return table->capacity;
}

const NSwitchRelayCounters *
nswitch_relay_table_counters(const NSwitchRelayTable *table)
{
    return &table->counters;
}

NSwitchRelayStatus nswitch_relay_group_pin(NSwitchRelayTable *table,
                                           uint32_t oui, uint32_t *group)
{
    uint32_t id;
    NSwitchRelayStatus status = group_acquire(table, oui & 0xffffff, &id);

    if (status != NSWITCH_RELAY_OK) {
        table->counters.rejected_groups_full++;
        return status;
    }
    table->groups[id].group.pinned = true;
    if (group) {
        *group = id;
    }
    return NSWITCH_RELAY_OK;
}

NSwitchRelayStatus nswitch_relay_group_unpin(NSwitchRelayTable *table,
                                             uint32_t oui)
{
    uint32_t id = nswitch_relay_group_find(table, oui);

    if (id == NSWITCH_RELAY_NONE) {
        return NSWITCH_RELAY_NOT_FOUND;
    }
    table->groups[id].group.pinned = false;
    group_release_if_unused(table, id);
    return NSWITCH_RELAY_OK;
}

uint32_t nswitch_relay_group_find(const NSwitchRelayTable *table, uint32_t oui)
{
    NSwitchHashBucket *bucket = nswitch_hash_index_find(&table->by_oui,
                                                        oui_key(oui));

    return bucket ? bucket->value : NSWITCH_RELAY_NONE;
}

const NSwitchRelayGroup *nswitch_relay_group_get(const NSwitchRelayTable *table,
                                                 uint32_t group)
{
    if (group >= table->group_capacity || !table->groups[group].in_use) {
        return NULL;
    }
    return &table->groups[group].group;
}

uint32_t nswitch_relay_group_capacity(const NSwitchRelayTable *table)
{
    return table->group_capacity;
}

const NSwitchRelayEntry *
nswitch_relay_group_first(const NSwitchRelayTable *table, uint32_t group)
{
    if (!nswitch_relay_group_get(table, group) ||
        table->groups[group].head == NSWITCH_RELAY_NONE) {
        return NULL;
    }
    return &table->slots[table->groups[group].head].entry;
}

const NSwitchRelayEntry *
nswitch_relay_group_next(const NSwitchRelayTable *table,
                         const NSwitchRelayEntry *entry)
{
    const NSwitchRelaySlot *slot = (const NSwitchRelaySlot *)entry;

    if (slot->group_next == NSWITCH_RELAY_NONE) {
        return NULL;
    }
    return &table->slots[slot->group_next].entry;
}
