package store

import "context"

// PhoneStore keeps each user's "my phone": the endpoint that listen, whisper
// and barge ring (and click-to-call's default "from"). One value per user,
// checked for shape when set; each node's dial rules check it when it is
// used, so one phone serves every node whose endpoint pattern admits it.
type PhoneStore interface {
	// UserPhone is the user's phone, "" when not set (also for an unknown user).
	UserPhone(ctx context.Context, user string) (string, error)
	// SetUserPhone sets (or with "" clears) the user's phone; ErrNotFound
	// for an unknown user.
	SetUserPhone(ctx context.Context, user, phone string) error
}
