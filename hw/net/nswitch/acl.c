/*
 * nswitch core: the access control list of the in-card switch
 *
 * Rules sit in an array in evaluation order: an ACL is a short list an
 * administrator writes, so a linear first-match walk is what hardware
 * TCAMs emulate and what keeps the order obvious.
 *
 * Copyright (c) 2026 The nswitch-nic authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "hw/net/nswitch/acl.h"

#include <stdlib.h>
#include <string.h>

#define VLAN_ID_LIMIT 4095

NSwitchAcl *nswitch_acl_new(uint32_t capacity)
{
    NSwitchAcl *acl;

    if (!capacity || capacity > NSWITCH_ACL_MAX_RULES) {
        return NULL;
    }
    acl = calloc(1, sizeof(*acl));
    if (!acl) {
        return NULL;
    }
    acl->rules = calloc(capacity, sizeof(*acl->rules));
    if (!acl->rules) {
        free(acl);
        return NULL;
    }
    acl->capacity = capacity;
    acl->next_id = 1;
    return acl;
}

void nswitch_acl_free(NSwitchAcl *acl)
{
    if (acl) {
        free(acl->rules);
        free(acl);
    }
}

static bool mac_within_mask(const uint8_t *mac, const uint8_t *mask)
{
    for (int i = 0; i < NSWITCH_MAC_LEN; i++) {
        if (mac[i] & ~mask[i]) {
            return false;
        }
    }
    return true;
}

static bool match_is_valid(const NSwitchAclMatch *match)
{
    return mac_within_mask(match->src, match->src_mask) &&
           mac_within_mask(match->dst, match->dst_mask) &&
           (!match->match_vlan || match->vlan < VLAN_ID_LIMIT);
}

static int find_index(const NSwitchAcl *acl, uint32_t id)
{
    for (uint32_t i = 0; i < acl->count; i++) {
        if (acl->rules[i].id == id) {
            return i;
        }
    }
    return -1;
}

static void insert_at(NSwitchAcl *acl, uint32_t position,
                      const NSwitchAclRule *rule)
{
    if (position > acl->count) {
        position = acl->count;
    }
    memmove(&acl->rules[position + 1], &acl->rules[position],
            (acl->count - position) * sizeof(*acl->rules));
    acl->rules[position] = *rule;
    acl->count++;
}

/*
 * Ids count up and wrap past 2^32 - 1, skipping 0 (no rule) and ids in
 * use: among count + 1 candidates one is free, so the search is short.
 */
static uint32_t allocate_id(NSwitchAcl *acl)
{
    uint32_t id;

    do {
        id = acl->next_id++;
    } while (!id || find_index(acl, id) >= 0);
    return id;
}

NSwitchAclStatus nswitch_acl_add(NSwitchAcl *acl, const NSwitchAclMatch *match,
                                 NSwitchAclAction action, uint32_t position,
                                 uint32_t *id)
{
    NSwitchAclRule rule = { .match = *match, .action = action };

    if (!match_is_valid(match) || action >= NSWITCH_ACL__MAX) {
        return NSWITCH_ACL_BAD_RULE;
    }
    if (acl->count == acl->capacity) {
        return NSWITCH_ACL_FULL;
    }
    rule.id = allocate_id(acl);
    insert_at(acl, position, &rule);
    if (id) {
        *id = rule.id;
    }
    return NSWITCH_ACL_OK;
}

NSwitchAclStatus nswitch_acl_restore(NSwitchAcl *acl,
                                     const NSwitchAclRule *rule)
{
    if (!rule->id || !match_is_valid(&rule->match) ||
        rule->action >= NSWITCH_ACL__MAX) {
        return NSWITCH_ACL_BAD_RULE;
    }
    if (find_index(acl, rule->id) >= 0) {
        return NSWITCH_ACL_ID_IN_USE;
    }
    if (acl->count == acl->capacity) {
        return NSWITCH_ACL_FULL;
    }
    insert_at(acl, acl->count, rule);
    if (rule->id >= acl->next_id) {
        acl->next_id = rule->id + 1;
    }
    return NSWITCH_ACL_OK;
}

NSwitchAclStatus nswitch_acl_remove(NSwitchAcl *acl, uint32_t id)
{
    int index = find_index(acl, id);

    if (index < 0) {
        return NSWITCH_ACL_NOT_FOUND;
    }
    memmove(&acl->rules[index], &acl->rules[index + 1],
            (acl->count - index - 1) * sizeof(*acl->rules));
    acl->count--;
    return NSWITCH_ACL_OK;
}

void nswitch_acl_flush(NSwitchAcl *acl)
{
    acl->count = 0;
}

static bool mac_matches(const uint8_t *mac, const uint8_t *want,
                        const uint8_t *mask)
{
    for (int i = 0; i < NSWITCH_MAC_LEN; i++) {
        if ((mac[i] & mask[i]) != want[i]) {
            return false;
        }
    }
    return true;
}

static bool rule_matches(const NSwitchAclMatch *match,
                         const NSwitchAclFrame *frame)
{
    return mac_matches(frame->src, match->src, match->src_mask) &&
           mac_matches(frame->dst, match->dst, match->dst_mask) &&
           (!match->match_vlan || match->vlan == frame->vlan) &&
           (!match->match_ethertype || match->ethertype == frame->ethertype);
}

const NSwitchAclRule *nswitch_acl_lookup(NSwitchAcl *acl,
                                         const NSwitchAclFrame *frame)
{
    for (uint32_t i = 0; i < acl->count; i++) {
        if (rule_matches(&acl->rules[i].match, frame)) {
            acl->rules[i].hits++;
            return &acl->rules[i];
        }
    }
    return NULL;
}

const NSwitchAclRule *nswitch_acl_rule(const NSwitchAcl *acl, uint32_t index)
{
    return index < acl->count ? &acl->rules[index] : NULL;
}

uint32_t nswitch_acl_capacity(const NSwitchAcl *acl)
{
    return acl->capacity;
}

void nswitch_acl_clear_hits(NSwitchAcl *acl)
{
    for (uint32_t i = 0; i < acl->count; i++) {
        acl->rules[i].hits = 0;
    }
}

const char *nswitch_acl_action_name(NSwitchAclAction action)
{
    switch (action) {
    case NSWITCH_ACL_ALLOW:
        return "allow";
    case NSWITCH_ACL_DROP:
        return "drop";
    case NSWITCH_ACL_MIRROR:
        return "mirror";
    case NSWITCH_ACL__MAX:
        break;
    }
    return "unknown";
}

const char *nswitch_acl_status_message(NSwitchAclStatus status)
{
    switch (status) {
    case NSWITCH_ACL_OK:
        return "success";
    case NSWITCH_ACL_FULL:
        return "the ACL is full";
    case NSWITCH_ACL_NOT_FOUND:
        return "no ACL rule has that id";
    case NSWITCH_ACL_BAD_RULE:
        return "the rule is malformed: address bits outside the mask or a "
               "VLAN above 4094";
    case NSWITCH_ACL_ID_IN_USE:
        return "an ACL rule already has that id";
    }
    return "unknown ACL status";
}
