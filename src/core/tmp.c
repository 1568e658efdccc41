/*
 * tmp — see tmp.h.
 */
#include "core/tmp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the longest NAME kept in ".NAME.XXXXXX": the temporary must fit in
 * NAME_MAX (255) whatever the target's name */
#define NS_TMP_BASE_MAX 200

/* snprintf into err, keeping errno for the caller */
#define SET_ERR(...)                                                           \
	do {                                                                   \
		int e_ = errno;                                                \
		snprintf(err, errlen, __VA_ARGS__);                            \
		errno = e_;                                                    \
	} while (0)

/* An unlinked file in dir, or -1 with errno */
static int anon_fd(const char *dir)
{
#ifdef O_TMPFILE
	/* never named: nothing to remove, even after SIGKILL */
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
#endif
	/* no O_TMPFILE here (or on this file system): named for an instant */
	char name[NS_TMP_PATH];
	int n = snprintf(name, sizeof(name), "%s/netscope-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int tfd = mkostemp(name, O_CLOEXEC); /* mode 0600 */
	if (tfd >= 0)
		unlink(name);
	return tfd;
}

FILE *ns_tmp_anon(char *err, size_t errlen)
{
	/* secure_getenv: a netscope given capabilities does not take its
	 * temporary directory from whoever started it */
	const char *dir = secure_getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = anon_fd(dir);
	FILE *fp = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!fp) {
		SET_ERR("cannot create a temporary file in '%s': %s", dir,
			strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return fp;
}

/* "DIR/.NAME.XXXXXX" for the real path real; -1 when it does not fit */
static int tmp_name(char *out, size_t outlen, const char *real)
{
	const char *slash = strrchr(real, '/');
	const char *base = slash ? slash + 1 : real;
	int dirlen = slash ? (int)(slash - real) : 0;
	int n = snprintf(out, outlen, "%.*s%s.%.*s.XXXXXX", dirlen, real,
			 slash ? "/" : "", NS_TMP_BASE_MAX, base);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/*
 * The target exists as a regular file (st): make the temporary beside the
 * file it names, with its mode.  1: done (o->fp open); 0: write in place
 * instead; -1: error.
 */
static int open_beside(struct ns_tmp_out *o, const char *path,
		       const struct stat *st, char *err, size_t errlen)
{
	char real[PATH_MAX];
	if (!realpath(path, real) ||
	    snprintf(o->path, sizeof(o->path), "%s", real) >=
		(int)sizeof(o->path) ||
	    tmp_name(o->tmp, sizeof(o->tmp), real) < 0) {
		o->tmp[0] = 0;
		return 0;
	}
	/* a file we may not write stays refused, as by fopen() (asked, not
	 * opened: an open for writing would tell inotify watchers it was
	 * written) */
	if (faccessat(AT_FDCWD, real, W_OK, AT_EACCESS) < 0) {
		SET_ERR("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	int fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		int denied = errno == EACCES || errno == EPERM;
		if (!denied)
			SET_ERR("cannot write '%s': cannot create '%s': %s",
				path, o->tmp, strerror(errno));
		o->tmp[0] = 0;
		return denied ? 0 : -1;
	}
	/* the replacement looks like what it replaces; the owner only when
	 * allowed (root, or a group we are in) */
	if (fchown(fd, st->st_uid, st->st_gid) < 0 &&
	    fchown(fd, (uid_t)-1, st->st_gid) < 0) {
		/* ours, then: the mode below still says who may read it */
	}
	fchmod(fd, st->st_mode & 07777); /* after chown, which clears set-id */
	o->fp = fdopen(fd, "wb");
	if (!o->fp) {
		SET_ERR("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		o->tmp[0] = 0;
		return -1;
	}
	return 1;
}

int ns_tmp_open(struct ns_tmp_out *o, const char *path, char *err,
		size_t errlen)
{
	o->fp = NULL;
	o->tmp[0] = 0;
	if (snprintf(o->path, sizeof(o->path), "%s", path) >=
	    (int)sizeof(o->path)) {
		snprintf(err, errlen, "cannot write '%s': file name too long",
			 path);
		errno = ENAMETOOLONG;
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		int rc = open_beside(o, path, &st, err, errlen);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		snprintf(o->path, sizeof(o->path), "%s", path);
	}
	o->fp = fopen(path, "wb");
	if (!o->fp) {
		SET_ERR("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int ns_tmp_commit(struct ns_tmp_out *o, char *err, size_t errlen)
{
	int rc = 0;
	if (o->fp == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			SET_ERR("cannot write standard output: %s",
				strerror(errno ? errno : EIO));
			rc = -1;
		}
	} else if (o->fp) {
		if (fflush(o->fp) != 0 || ferror(o->fp)) {
			SET_ERR("cannot write '%s': %s", o->path,
				strerror(errno ? errno : EIO));
			rc = -1;
		}
		if (fclose(o->fp) != 0 && rc == 0) {
			SET_ERR("cannot write '%s': %s", o->path,
				strerror(errno));
			rc = -1;
		}
	}
	o->fp = NULL;
	if (o->tmp[0]) {
		if (rc == 0 && rename(o->tmp, o->path) < 0) {
			SET_ERR("cannot rename '%s' to '%s': %s", o->tmp,
				o->path, strerror(errno));
			rc = -1;
		}
		if (rc < 0)
			unlink(o->tmp);
		o->tmp[0] = 0;
	}
	return rc;
}

void ns_tmp_abandon(struct ns_tmp_out *o)
{
	if (o->fp == stdout)
		fflush(stdout);
	else if (o->fp)
		fclose(o->fp);
	o->fp = NULL;
	if (o->tmp[0])
		unlink(o->tmp);
	o->tmp[0] = 0;
}

const char *ns_tmp_same_file(const char *path, const char *const *names,
			     unsigned n)
{
	struct stat out, in;
	if (strcmp(path, "-") == 0 || stat(path, &out) < 0)
		return NULL; /* a file that does not exist is no input */
	for (unsigned i = 0; i < n; i++)
		if (strcmp(names[i], "-") != 0 && stat(names[i], &in) == 0 &&
		    in.st_dev == out.st_dev && in.st_ino == out.st_ino)
			return names[i];
	return NULL;
}
