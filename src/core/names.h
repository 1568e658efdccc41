/*
 * names — value tables shared by several dissectors (IP protocol numbers
 * are used by IPv4, IPv6 and their extension headers).
 */
#ifndef NS_NAMES_H
#define NS_NAMES_H

#include "core/field.h"

extern const struct ns_valstr ns_ipproto_vals[];

/* Short protocol name ("TCP") or NULL. */
const char *ns_ipproto_name(unsigned proto);

#endif
