"""Django's database cache with an atomic `incr`.

Django's own `incr` reads, adds and writes back; two processes counting the same key both read
3 and both write 4. Here the row is locked for the change (SELECT … FOR UPDATE on PostgreSQL;
on SQLite every transaction takes the write lock at BEGIN IMMEDIATE), so no hit is lost.
"""

from __future__ import annotations

import base64
import pickle

from django.core.cache.backends import db
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(db.DatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        qn = connection.ops.quote_name
        table, value_col, key_col = qn(self._table), qn("value"), qn("cache_key")
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # Identifiers come from settings and are quoted; values are parameters.
        select = f"SELECT {value_col}, {qn('expires')} FROM {table} WHERE {key_col} = %s{lock}"  # noqa: S608
        update = f"UPDATE {table} SET {value_col} = %s WHERE {key_col} = %s"  # noqa: S608
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(select, [key])
            row = cursor.fetchone()
            if row is None or self._expires(connection, row[1]) < tz_now():
                raise ValueError(f"Key '{key}' not found.")
            raw = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(raw.encode())) + delta  # noqa: S301 - our own rows
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(update, [encoded, key])
        return value

    @staticmethod
    def _expires(connection, value):
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            value = converter(value, expression, connection)
        return value
