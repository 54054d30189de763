/* Schema of a3s.db; bump ROOT_SCHEMA_VERSION and add a step when it changes. */
#define ROOT_SCHEMA_VERSION 2
static const char *const root_schema_v1 =
	"CREATE TABLE IF NOT EXISTS images ("
	"  id TEXT PRIMARY KEY,"          /* sha256:<hex> of the config blob */
	"  manifest_digest TEXT,"         /* sha256:<hex> or NULL */
	"  config TEXT NOT NULL,"         /* the image config JSON */
	"  layers TEXT NOT NULL,"         /* JSON array of layer blob digests */
	"  diff_ids TEXT NOT NULL,"       /* JSON array of uncompressed digests */
	"  size INTEGER NOT NULL,"        /* uncompressed bytes */
	"  created INTEGER NOT NULL,"     /* unix seconds from the config */
	"  loaded_at INTEGER NOT NULL,"
	"  last_used INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE TABLE IF NOT EXISTS tags ("
	"  name TEXT PRIMARY KEY,"        /* normalised repo:tag */
	"  image_id TEXT NOT NULL REFERENCES images(id),"
	"  tagged_at INTEGER NOT NULL DEFAULT 0" /* unix nanoseconds of the last (re)tag */
	");"
	"CREATE INDEX IF NOT EXISTS tags_image ON tags(image_id);"
	"CREATE TABLE IF NOT EXISTS boxes ("
	"  id TEXT PRIMARY KEY,"          /* 64 hex */
	"  name TEXT NOT NULL UNIQUE,"
	"  image_id TEXT NOT NULL,"
	"  image_ref TEXT NOT NULL,"      /* as the user wrote it */
	"  config TEXT NOT NULL,"         /* JSON: the resolved box config */
	"  state TEXT NOT NULL,"          /* created|running|paused|restarting|exited|dead */
	"  pid INTEGER NOT NULL DEFAULT 0,"
	"  exit_code INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"  /* unix nanoseconds */
	"  started_at INTEGER NOT NULL DEFAULT 0,"
	"  finished_at INTEGER NOT NULL DEFAULT 0,"
	"  monitor_pid INTEGER NOT NULL DEFAULT 0," /* the box's monitor (detached boxes) */
	"  labels TEXT NOT NULL DEFAULT '{}',"      /* JSON object */
	"  restart_policy TEXT NOT NULL DEFAULT 'no'," /* no|always|on-failure|unless-stopped */
	"  restart_max INTEGER NOT NULL DEFAULT 0," /* on-failure:N */
	"  restart_count INTEGER NOT NULL DEFAULT 0,"
	"  stopped_by_user INTEGER NOT NULL DEFAULT 0," /* stop/kill asked: no restart */
	"  error TEXT NOT NULL DEFAULT ''"        /* why the box failed, if it did */
	");"
	"CREATE TABLE IF NOT EXISTS events ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"        /* unix nanoseconds */
	"  type TEXT NOT NULL,"           /* container|image|... */
	"  action TEXT NOT NULL,"         /* create|start|die|stop|kill|destroy|... */
	"  actor_id TEXT NOT NULL,"
	"  attributes TEXT NOT NULL DEFAULT '{}'" /* JSON object: name, image, exitCode... */
	");";

/* v2: named and anonymous volumes (docs/volumes.md); data in volumes/<name>/_data */
static const char *const root_schema_v2 =
	"CREATE TABLE IF NOT EXISTS volumes ("
	"  name TEXT PRIMARY KEY,"
	"  driver TEXT NOT NULL DEFAULT 'local',"
	"  labels TEXT NOT NULL DEFAULT '{}',"    /* JSON object */
	"  options TEXT NOT NULL DEFAULT '{}',"   /* JSON object: driver options (-o) */
	"  anonymous INTEGER NOT NULL DEFAULT 0," /* made for one box (-v /path, image VOLUME) */
	"  created_at INTEGER NOT NULL"           /* unix nanoseconds */
	");";
