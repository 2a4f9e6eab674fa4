/* Loading libssh at run time: see sshint.h. */
#include <dlfcn.h>
#include <stdbool.h>

#define SSHLIB_NO_NAMES
#include "sshint.h"
#include "xalloc.h"

/* The soname Debian's libssh-4 package installs (libssh 0.9 and later). */
#define SSHLIB_SONAME "libssh.so.4"

struct sshlib sshlib;

int
sshlib_load(void)
{
	static bool loaded;
	void *h;

	if (loaded)
		return 0;
	if (!(h = dlopen(SSHLIB_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return error("remote hosts need libssh (%s): %s", SSHLIB_SONAME,
		    dlerror());
#define SSHLIB_RESOLVE(f)                                                      \
	if (!(*(void **)&sshlib.f = dlsym(h, #f)))                             \
		return error(                                                  \
		    "%s has no %s: too old a libssh", SSHLIB_SONAME, #f);
	SSHLIB_FUNCS(SSHLIB_RESOLVE)
#undef SSHLIB_RESOLVE
	loaded = true;
	return 0;
}
