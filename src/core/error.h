/*
 * error — the project's integer status codes.  Functions that can fail
 * return 0 or one of these negative values; ns_strerror() names them.
 */
#ifndef NS_ERROR_H
#define NS_ERROR_H

enum {
	NS_OK = 0,
	NS_ETRUNC = -1,	    /* input ended before the structure did */
	NS_EMALFORMED = -2, /* input is impossible for its protocol */
	NS_ENOMEM = -3,
	NS_EIO = -4,
	NS_EINVAL = -5,
	NS_ELIMIT = -6, /* a configured cap was reached */
};

const char *ns_strerror(int code);

#endif
