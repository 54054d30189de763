/* docker image inspect's JSON for an image. */
#ifndef A3S_IMAGE_INSPECT_H
#define A3S_IMAGE_INSPECT_H

#include <jansson.h>

#include "image/store.h"

/* A new object shaped like docker's: Id, RepoTags, RepoDigests, Parent,
 * Comment, Created (RFC3339Nano), DockerVersion, Author, Config,
 * Architecture, [Variant], Os, Size, RootFS{Type, Layers}, Metadata{LastTagTime}. */
json_t *image_inspect_json(const struct image *img);

#endif
