//go:build !unix

package pebblestore

func isLockConflict(error) bool { return false }

func lockHolder(string) int { return 0 }
