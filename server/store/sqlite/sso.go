package sqlite

import (
	"context"

	"github.com/callboard/callboard/server/store"
)

// SetSSORole sets the role of an SSO user (its identity provider decides
// it at every sign-in); a local user is left alone (store.ErrNotFound).
func (d *DB) SetSSORole(ctx context.Context, name string, role store.Role) error {
	res, err := d.db.ExecContext(ctx, `UPDATE users SET role = ? WHERE name = ? AND sso = 1`, string(role), name)
	return affectedOne(res, err, "set role of "+name)
}
