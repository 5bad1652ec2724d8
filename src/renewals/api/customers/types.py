"""Customers, partners, their addresses and contacts."""

from __future__ import annotations

import strawberry
from strawberry import Info, Private

from renewals.api.core.context import ctx
from renewals.api.core.enums import ContactRole
from renewals.api.core.ids import to_global_id
from renewals.api.core.prefetch import resolved
from renewals.api.core.types import Node
from renewals.persistence.records import CustomerRecord, PartnerRecord


@strawberry.type(description="A reseller (partner), identified by its partner CSN.")
class Partner(Node):
    csn: str = strawberry.field(description="The partner's CSN.")
    name: str = strawberry.field(description="The partner's name.")

    @classmethod
    def of(cls, r: PartnerRecord | None) -> Partner | None:
        if r is None:
            return None
        return cls(id=strawberry.ID(to_global_id("Partner", r.id)), csn=r.csn, name=r.name)


@strawberry.type(description="A postal address.")
class Address:
    line1: str = strawberry.field(description="Street and number.")
    line2: str | None = strawberry.field(description="Additional address line.")
    city: str = strawberry.field(description="City.")
    postal_code: str = strawberry.field(description="Postal code.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")

    @classmethod
    def of(cls, r: CustomerRecord) -> Address:
        """A customer's current address."""
        return cls(
            line1=r.address_line1,
            line2=r.address_line2,
            city=r.city,
            postal_code=r.postal_code,
            country=r.country,
        )


@strawberry.type(description="A person at the customer.")
class Contact:
    email: str = strawberry.field(description="Email address.")
    name: str | None = strawberry.field(description="Full name.")
    role: ContactRole = strawberry.field(description="BUYER receives quotes by email.")


@strawberry.type(description="A customer account, identified by its CSN.")
class Customer(Node):
    record: Private[CustomerRecord]
    csn: str = strawberry.field(description="The customer serial number.")
    name: str = strawberry.field(description="The customer's name.")

    @classmethod
    def of(cls, r: CustomerRecord | None) -> Customer | None:
        if r is None:
            return None
        return cls(
            record=r, id=strawberry.ID(to_global_id("Customer", r.id)), csn=r.csn, name=r.name
        )

    @strawberry.field(description="The customer's current address.")
    def address(self) -> Address:
        return Address.of(self.record)

    @strawberry.field(description="The customer's contacts; buyers receive quotes.")
    def contacts(self, info: Info) -> list[Contact]:
        return resolved(
            ctx(info).loaders.contacts_by_customer_id,
            self.record.id,
            lambda rows: [Contact(email=c.email, name=c.name, role=c.role) for c in rows],
        )


def customer_of(info: Info, customer_id: int) -> Customer:
    return resolved(ctx(info).loaders.customer_by_id, customer_id, Customer.of)


def partner_of(info: Info, partner_id: int | None) -> Partner | None:
    if partner_id is None:
        return None
    return resolved(ctx(info).loaders.partner_by_id, partner_id, Partner.of)
