/*
 * tmp — temporary files, made one way everywhere:
 *
 *   ns_tmp_anon()   a scratch file for spills and reports: unlinked at
 *                   once (it disappears with the process), mode 0600, in
 *                   $TMPDIR or /tmp.  glibc's tmpfile() ignores TMPDIR,
 *                   which is why nothing calls it.
 *   ns_tmp_open()   an output file (-w, later --records) written through
 *   ns_tmp_commit() a temporary name next to its target and renamed over
 *   ns_tmp_abandon() it on success, so a run that fails leaves the file
 *                   that was there as it was, never half rewritten.
 *   ns_tmp_same_file() which of a run's inputs an output would overwrite.
 *
 * An output goes through a temporary name only when the target already
 * exists as a regular file (following symbolic links, so the link stays
 * and the file it names is replaced).  The temporary is
 * "DIR/.NAME.XXXXXX" in the target's own directory, so the rename is
 * atomic; it gets the old file's permission bits (and its owner, when we
 * may give it).  Everything else is written in place, as fopen(3) would:
 * a new file (nothing to protect; a reader sees it grow), standard output,
 * a FIFO or device, and a writable file in a directory we may not create
 * in (a file prepared for an unprivileged user in a root-owned directory
 * is a common set-up that must keep working).  A file we may not write is
 * refused as before, even when its directory would let us replace it.
 *
 * Commit is rename(2) after close: atomic against a failed or killed run,
 * not a durability promise across a power loss (no fsync: it would stall
 * a live capture for as long as the disk takes).  A run killed by SIGKILL
 * leaves its ".NAME.XXXXXX" behind, never a damaged NAME.
 *
 * Functions return 0 or -1 with a message in err ("cannot write 'X': why"),
 * and leave errno as the failing call set it.
 */
#ifndef NS_TMP_H
#define NS_TMP_H

#include <stddef.h>
#include <stdio.h>

#define NS_TMP_PATH 4096

/* An unlinked temporary file opened "w+" in $TMPDIR (else /tmp), mode
 * 0600; NULL with err naming the directory and the reason. */
FILE *ns_tmp_anon(char *err, size_t errlen);

struct ns_tmp_out {
	/* the stream to write ("-": stdout).  A caller whose closing
	 * function closes it (pcap_dump_close) sets it to NULL after having
	 * flushed it and checked the flush. */
	FILE *fp;
	char path[NS_TMP_PATH]; /* the target (its real path with a tmp) */
	char tmp[NS_TMP_PATH];	/* the temporary name, "" when in place */
};

/* Opens an output for path ("-" is standard output). */
int ns_tmp_open(struct ns_tmp_out *o, const char *path, char *err,
		size_t errlen);
/* Flushes and closes the stream (not stdout: flushed only), then renames
 * the temporary over the target.  On failure the temporary is removed
 * and the target is as it was. */
int ns_tmp_commit(struct ns_tmp_out *o, char *err, size_t errlen);
/* Closes the stream and removes the temporary: the target is as it was
 * (a file written in place keeps what was written). */
void ns_tmp_abandon(struct ns_tmp_out *o);
/* The first of names[0..n) that is the same file as path (st_dev and
 * st_ino, so a symbolic link, another spelling or a hard link is found),
 * or NULL.  "-" (standard input) is no file, on either side. */
const char *ns_tmp_same_file(const char *path, const char *const *names,
			     unsigned n);

#endif
