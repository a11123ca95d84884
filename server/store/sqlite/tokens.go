package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/callboard/callboard/server/store"
)

func (d *DB) CreateToken(ctx context.Context, t store.Token) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO api_tokens(id, name, scopes, token_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.Name, strings.Join(t.Scopes, " "), t.TokenHash, t.CreatedBy, ms(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.Name, err)
	}
	return nil
}

const tokenColumns = `id, name, scopes, token_hash, created_by, created_at, last_used_at`

func scanToken(r scanner) (store.Token, error) {
	var t store.Token
	var scopes string
	var created, used int64
	if err := r.Scan(&t.ID, &t.Name, &scopes, &t.TokenHash, &t.CreatedBy, &created, &used); err != nil {
		return store.Token{}, err
	}
	t.Scopes, t.CreatedAt, t.LastUsedAt = strings.Fields(scopes), fromMS(created), fromMS(used)
	return t, nil
}

func (d *DB) TokenByHash(ctx context.Context, hash []byte) (store.Token, error) {
	t, err := scanToken(d.db.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ?`, hash))
	if err != nil {
		return store.Token{}, notFound(err, "get token")
	}
	return t, nil
}

func (d *DB) TouchToken(ctx context.Context, id string, at time.Time) error {
	if _, err := d.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, ms(at), id); err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	return nil
}

func (d *DB) ListTokens(ctx context.Context) ([]store.Token, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

func (d *DB) DeleteToken(ctx context.Context, id string) error {
	res, err := d.db.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = ?`, id)
	return affectedOne(res, err, "delete token")
}
