/* GLIBC_2.34: the resolver functions glibc 2.34 moved from libresolv.so.2
 * into libc.so.6 under their plain names; glibc 2.31 exports most of them
 * only as __dn_expand, __res_query, ... (its <resolv.h> #defines the plain
 * names to those), which is what they jump to.  Same code, same
 * per-thread _res state. */
#include "../compat.h"

COMPAT_FORWARD(dn_comp, "GLIBC_2.34", __dn_comp, "GLIBC_2.2.5");
COMPAT_FORWARD(dn_expand, "GLIBC_2.34", __dn_expand, "GLIBC_2.2.5");
COMPAT_FORWARD(dn_skipname, "GLIBC_2.34", __dn_skipname, "GLIBC_2.2.5");
COMPAT_FORWARD(ns_name_compress, "GLIBC_2.34", ns_name_compress, "GLIBC_2.9");
COMPAT_FORWARD(ns_name_ntop, "GLIBC_2.34", ns_name_ntop, "GLIBC_2.9");
COMPAT_FORWARD(ns_name_pack, "GLIBC_2.34", ns_name_pack, "GLIBC_2.9");
COMPAT_FORWARD(ns_name_pton, "GLIBC_2.34", ns_name_pton, "GLIBC_2.9");
COMPAT_FORWARD(ns_name_skip, "GLIBC_2.34", ns_name_skip, "GLIBC_2.9");
COMPAT_FORWARD(ns_name_uncompress, "GLIBC_2.34", ns_name_uncompress, "GLIBC_2.9");
COMPAT_FORWARD(ns_name_unpack, "GLIBC_2.34", ns_name_unpack, "GLIBC_2.9");
COMPAT_FORWARD(res_dnok, "GLIBC_2.34", __res_dnok, "GLIBC_2.2.5");
COMPAT_FORWARD(res_hnok, "GLIBC_2.34", __res_hnok, "GLIBC_2.2.5");
COMPAT_FORWARD(res_mailok, "GLIBC_2.34", __res_mailok, "GLIBC_2.2.5");
COMPAT_FORWARD(res_mkquery, "GLIBC_2.34", __res_mkquery, "GLIBC_2.2.5");
COMPAT_FORWARD(res_nmkquery, "GLIBC_2.34", __res_nmkquery, "GLIBC_2.2.5");
COMPAT_FORWARD(res_nquery, "GLIBC_2.34", __res_nquery, "GLIBC_2.2.5");
COMPAT_FORWARD(res_nquerydomain, "GLIBC_2.34", __res_nquerydomain, "GLIBC_2.2.5");
COMPAT_FORWARD(res_nsearch, "GLIBC_2.34", __res_nsearch, "GLIBC_2.2.5");
COMPAT_FORWARD(res_nsend, "GLIBC_2.34", __res_nsend, "GLIBC_2.2.5");
COMPAT_FORWARD(res_ownok, "GLIBC_2.34", __res_ownok, "GLIBC_2.2.5");
COMPAT_FORWARD(res_query, "GLIBC_2.34", __res_query, "GLIBC_2.2.5");
COMPAT_FORWARD(res_querydomain, "GLIBC_2.34", __res_querydomain, "GLIBC_2.2.5");
COMPAT_FORWARD(res_search, "GLIBC_2.34", __res_search, "GLIBC_2.2.5");
COMPAT_FORWARD(res_send, "GLIBC_2.34", __res_send, "GLIBC_2.2.5");
