package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors; implementations wrap them.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrLastAdmin refuses a change that would leave no admin.
	ErrLastAdmin = errors.New("would remove the last admin")
)

// Role is what a user may do.
type Role string

const (
	RoleViewer    Role = "viewer"    // sees everything
	RoleModerator Role = "moderator" // viewer plus actions
	RoleAdmin     Role = "admin"     // moderator plus users, sessions, tokens, audit
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r == RoleViewer || r == RoleModerator || r == RoleAdmin }

// AtLeast reports whether r includes every right of min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && r.rank() > 0 }

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleModerator:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// User is a person who signs in.
type User struct {
	Name         string
	Role         Role
	PasswordHash string // argon2id PHC string; empty for SSO users
	CreatedAt    time.Time
	SSO          bool // signs in through the identity provider only (server/oidc)
}

// Session is a signed-in browser. TokenHash is SHA-256 of the cookie value;
// ID is a separate random handle shown to admins.
type Session struct {
	ID         string
	TokenHash  []byte
	User       string
	Role       Role // the user's current role (joined on read)
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
	IP         string
}

// Token is an API token for machine clients. TokenHash is SHA-256 of the
// secret handed out once.
type Token struct {
	ID         string
	Name       string
	Scopes     []string
	TokenHash  []byte
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never used
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID     int64
	At     time.Time
	User   string
	Role   string
	IP     string
	Kind   string // action, login, login_failed, logout, session_revoked, user_created, ...
	Action string // the action verb for kind action, else the kind
	Node   string
	Target string
	Result string // ok, or the error code / PBX verdict
	Detail string
}

// AuditFilter selects audit entries; zero fields do not filter.
type AuditFilter struct {
	From, To time.Time // inclusive from, exclusive to
	User     string
	Kind     string
	Action   string
	Node     string
	Result   string
	Before   int64 // only entries with ID < Before (paging, newest first)
	Limit    int   // default and maximum chosen by the implementation
}

// Store is the persistence port. Every method is safe for concurrent use.
type Store interface {
	CreateUser(ctx context.Context, u User) error // ErrExists
	GetUser(ctx context.Context, name string) (User, error)
	ListUsers(ctx context.Context) ([]User, error)
	DeleteUser(ctx context.Context, name string) error // also deletes the user's sessions; ErrNotFound
	// DeleteUserKeepAdmin is DeleteUser that refuses (ErrLastAdmin) to
	// delete the only admin, atomically: concurrent deletes cannot remove
	// every admin.
	DeleteUserKeepAdmin(ctx context.Context, name string) error
	CountUsers(ctx context.Context) (int, error)

	CreateSession(ctx context.Context, s Session) error
	SessionByTokenHash(ctx context.Context, hash []byte) (Session, error) // ErrNotFound
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error // ErrNotFound
	ListSessions(ctx context.Context) ([]Session, error)
	SessionIDsOfUser(ctx context.Context, user string) ([]string, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) ([]string, error)

	CreateToken(ctx context.Context, t Token) error
	TokenByHash(ctx context.Context, hash []byte) (Token, error) // ErrNotFound
	TouchToken(ctx context.Context, id string, at time.Time) error
	ListTokens(ctx context.Context) ([]Token, error)
	DeleteToken(ctx context.Context, id string) error // ErrNotFound

	AppendAudit(ctx context.Context, entries []AuditEntry) error
	QueryAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
	// PurgeAudit deletes entries older than before and returns how many.
	PurgeAudit(ctx context.Context, before time.Time) (int64, error)

	Close() error
}
