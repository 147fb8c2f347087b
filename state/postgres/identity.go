package postgres

import (
	"net/url"
	"strings"
)

// Identity names the database a DSN points at — user, host, port and
// database, with libpq's defaults filled in — and never its password, so
// two spellings of one database (postgres:// or postgresql://, an explicit
// default port, another sslmode, a rotated password) are the same store.
func Identity(dsn string) string {
	user, host, port, db := "", "", "", ""
	if isURL(dsn) {
		if u, err := url.Parse(dsn); err == nil {
			user, host, port = u.User.Username(), u.Hostname(), u.Port()
			db = strings.TrimPrefix(u.Path, "/")
			q := u.Query()
			if v := q.Get("host"); v != "" {
				host = v
			}
			if v := q.Get("port"); v != "" {
				port = v
			}
			if v := q.Get("dbname"); v != "" {
				db = v
			}
			if v := q.Get("user"); v != "" {
				user = v
			}
		}
	} else {
		for _, field := range strings.Fields(dsn) {
			k, v, ok := strings.Cut(field, "=")
			if !ok {
				continue
			}
			v = strings.Trim(v, "'")
			switch k {
			case "host":
				host = v
			case "port":
				port = v
			case "dbname":
				db = v
			case "user":
				user = v
			}
		}
	}
	if host == "" {
		host = "localhost"
	}
	if port == "" {
		port = "5432"
	}
	if db == "" {
		db = user
	}
	return "postgres://" + user + "@" + host + ":" + port + "/" + db
}
