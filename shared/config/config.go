// Package config reads a function's settings once, from the environment that
// template.yaml (or the local stack) sets.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Config is everything a function needs from its environment.
type Config struct {
	TableName string
	// IDHashKey keys the HMAC that turns an ID number into an identity.
	IDHashKey []byte
	// DynamoDBEndpoint overrides the AWS endpoint (the local stack, tests).
	DynamoDBEndpoint string
	Region           string
	LogLevel         slog.Level
}

// FromEnv reads TABLE_NAME, ID_HASH_KEY, DYNAMODB_ENDPOINT, AWS_REGION and LOG_LEVEL.
func FromEnv() (Config, error) {
	return FromLookup(os.LookupEnv)
}

// FromLookup is FromEnv over any source of variables.
func FromLookup(lookup func(string) (string, bool)) (Config, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	c := Config{
		TableName:        get("TABLE_NAME"),
		IDHashKey:        []byte(get("ID_HASH_KEY")),
		DynamoDBEndpoint: get("DYNAMODB_ENDPOINT"),
		Region:           get("AWS_REGION"),
	}
	if c.Region == "" {
		c.Region = "cn-north-1"
	}
	var errs []error
	if c.TableName == "" {
		errs = append(errs, errors.New("TABLE_NAME is not set"))
	}
	if len(c.IDHashKey) < 16 {
		errs = append(errs, errors.New("ID_HASH_KEY must be at least 16 characters"))
	}
	if lv := get("LOG_LEVEL"); lv != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lv)); err != nil {
			errs = append(errs, fmt.Errorf("LOG_LEVEL: %w", err))
		}
	}
	return c, errors.Join(errs...)
}
