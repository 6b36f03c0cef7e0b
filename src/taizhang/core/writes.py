"""Small helpers the actions layers share."""


def apply_fields(obj, data: dict, fields: list[str]) -> dict:
    """Set the plain fields named in `fields` that `data` carries; return the many-to-many values,
    which can only be set once the object is saved."""
    m2m = {}
    for name in fields:
        if name not in data:
            continue
        if obj._meta.get_field(name).many_to_many:
            m2m[name] = data[name]
        else:
            setattr(obj, name, data[name])
    return m2m
