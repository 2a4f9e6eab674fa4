/*
 * The cheapest possible job, so that a benchmark of 3000 of them measures
 * the runner and not the job. Built with -DNOLIBC -static -nostdlib it
 * is one exit system call with no libc start-up (where the architecture
 * is known); otherwise bench/run builds the plain main() with -static.
 */
#if defined(NOLIBC) && defined(__x86_64__)
void _start(void);

void
_start(void)
{
	__asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}
#elif defined(NOLIBC) && defined(__aarch64__)
void _start(void);

void
_start(void)
{
	__asm__ volatile("mov x0, #0\n\tmov x8, #93\n\tsvc #0");
}
#elif defined(NOLIBC)
#error "no NOLIBC exit for this architecture"
#else
int
main(void)
{
	return 0;
}
#endif
