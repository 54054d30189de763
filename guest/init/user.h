/*
 * Resolving the "user" config record against the image's /etc/passwd and
 * /etc/group, with docker's (runc's GetExecUser) semantics:
 *
 *   ""            root: the passwd entry with uid 0 if any
 *   "name"        uid, gid and home from the passwd entry
 *   "uid"         the passwd entry with that uid, else that uid with gid 0
 *   "x:group"     as above, then the gid of the group entry named (or
 *                 numbered) group; a number without an entry is used as is
 *
 * Supplementary groups are those in /etc/group that list the matched user
 * name, and only when no group was given explicitly. An unknown user or
 * group name fails with docker's message.
 */
#ifndef A3S_GUEST_USER_H
#define A3S_GUEST_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary, owned */
	size_t ngroups;
	char *home; /* owned; passwd's, else "/root" for uid 0, else "/" */
};

/*
 * Pure: passwd and group are the files' contents (not necessarily
 * NUL-terminated; NULL with length 0 when a file is missing). Returns 0 and
 * fills *out (release with user_ids_release()), or -1 with the reason in *e
 * and nothing to release.
 */
int user_resolve(const char *spec, const char *passwd, size_t passwd_len, const char *group,
		 size_t group_len, struct user_ids *out, struct ierr *e);

void user_ids_release(struct user_ids *u);

/* /etc/passwd and /etc/group larger than this are not worth parsing */
#define USER_ID_FILE_MAX (4u * 1024 * 1024)

/* user_resolve() against the running system's /etc/passwd and /etc/group. */
int user_resolve_files(const char *spec, struct user_ids *out, struct ierr *e);

#endif
