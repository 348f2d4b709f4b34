#!/usr/bin/env python3
"""Reads the events of a dotbus namespace from Redis Pub/Sub and validates each one against the
JSON Schemas `dotbus schema export --format jsonschema` wrote.

Needs the Debian packages python3-redis and python3-jsonschema (or `pip install redis jsonschema`).

    dotbus schema export --format jsonschema --out schemas
    python3 consumer.py --redis redis://127.0.0.1:6379 --namespace dotbus --schemas schemas

Each message is one line on stdout:
    VALID <type> <dataschema> <data as JSON>
    INVALID <type> <dataschema> <what is wrong>
"""
import argparse
import json
import os
import re
import sys

try:
    import jsonschema
    import redis
except ImportError as missing:
    sys.exit(f"consumer.py: {missing}; install the Debian packages python3-redis and python3-jsonschema")


class Schemas:
    """The export's schemas, found by a message's `dataschema` (exact version) or else its `type`."""

    def __init__(self, directory):
        with open(os.path.join(directory, "index.json"), encoding="utf-8") as f:
            index = json.load(f)
        self.by_id = {}
        self.by_type = {}
        for entry in index["events"]:
            with open(os.path.join(directory, entry["file"]), encoding="utf-8") as f:
                schema = json.load(f)
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            self.by_id[entry["$id"]] = validator
            self.by_type[entry["type"]] = validator

    def validate(self, message):
        """(how the schema was found, the first error or None)."""
        validator = self.by_id.get(message.get("dataschema"))
        found = "dataschema"
        if validator is None:
            # Another minor of the same major: the envelope allows it, and the data must still fit.
            validator, found = self.by_type.get(message.get("type")), "type"
        if validator is None:
            return "none", "no schema for this type in the export"
        error = jsonschema.exceptions.best_match(validator.iter_errors(message))
        return found, None if error is None else f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    parser.add_argument("--namespace", default="dotbus")
    parser.add_argument("--schemas", default="schemas", help="the directory of an export")
    parser.add_argument("--stop-after", metavar="TYPE", help="exit after the first event of this type")
    args = parser.parse_args()

    schemas = Schemas(args.schemas)
    client = redis.Redis.from_url(args.redis)
    pubsub = client.pubsub()
    # Every channel of the namespace, and only those: dotbus's control channels start with `{dotbus}:`.
    pubsub.psubscribe(re.sub(r"([*?\[\]\\])", r"\\\1", args.namespace) + ":*")
    for item in pubsub.listen():
        if item["type"] == "psubscribe":
            print(f"subscribed to {args.namespace}:*", file=sys.stderr, flush=True)
            continue
        if item["type"] != "pmessage":
            continue
        try:
            message = json.loads(item["data"])
        except ValueError as e:
            print(f"INVALID ? ? not JSON: {e}", flush=True)
            continue
        found, error = schemas.validate(message)
        kind, uri = message.get("type", "?"), message.get("dataschema", "?")
        if error is None:
            print(f"VALID {kind} {uri} via={found} {json.dumps(message['data'], separators=(',', ':'))}", flush=True)
        else:
            print(f"INVALID {kind} {uri} via={found} {error}", flush=True)
        if kind == args.stop_after:
            return


if __name__ == "__main__":
    main()
