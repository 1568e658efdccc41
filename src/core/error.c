/* error — names of the NS_E* codes (see error.h). */
#include "core/error.h"

const char *ns_strerror(int code)
{
	switch (code) {
	case NS_OK:
		return "success";
	case NS_ETRUNC:
		return "truncated";
	case NS_EMALFORMED:
		return "malformed";
	case NS_ENOMEM:
		return "out of memory";
	case NS_EIO:
		return "input/output error";
	case NS_EINVAL:
		return "invalid argument";
	case NS_ELIMIT:
		return "limit reached";
	default:
		return "unknown error";
	}
}
