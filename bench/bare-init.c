/* The reference guest for bench/boot.py: PID 1 that ends the VM at once. */
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	reboot(RB_AUTOBOOT);
	return 0;
}
