/* Where a3s-box finds the files it ships (default image, kernel, initramfs). */
#ifndef A3S_IMAGE_SHARE_H
#define A3S_IMAGE_SHARE_H

/* $A3S_BOX_SHARE when set; else <exe dir>/../../share/a3s-box when that
 * directory exists (the build tree: build/src/cli/a3s-box next to
 * build/share/a3s-box); else <exe dir>/../share/a3s-box (installed:
 * /usr/bin -> /usr/share/a3s-box). Computed once; never NULL. */
const char *image_share_dir(void);

#endif
