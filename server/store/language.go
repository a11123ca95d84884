package store

import "context"

// Languages the UI ships in (BCP 47 tags as the UI names its message sets).
// A user's language setting is one of these or "" (follow the browser).
var Languages = []string{"en", "ko", "ja", "zh-CN", "ru"}

// IsLanguage reports whether lang is a supported UI language (exact tag).
func IsLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// LanguageStore keeps each user's UI language.
type LanguageStore interface {
	// UserLanguage is the user's language, "" when not set (also for an unknown user).
	UserLanguage(ctx context.Context, user string) (string, error)
	// SetUserLanguage sets (or with "" clears) the user's language; ErrNotFound
	// for an unknown user. The caller checks IsLanguage.
	SetUserLanguage(ctx context.Context, user, lang string) error
}
