/* Part of dtoverlay-check (MIT). Linked into the WASI builds of dtc and fdtoverlay:
 * WASI has no working directory, so adopt the one the host passes in $PWD; wasi-libc then
 * resolves relative paths against it. */
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void adopt_host_cwd(void) {
	const char *pwd = getenv("PWD");
	if (pwd && pwd[0] == '/')
		chdir(pwd);
}
