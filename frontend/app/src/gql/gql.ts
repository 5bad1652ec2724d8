/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Viewer {\n    viewer {\n      role\n      customer {\n        name\n        csn\n      }\n      partner {\n        name\n        csn\n      }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query EligibleGroups {\n    eligibleRenewalGroups {\n      key\n      currency\n      paymentMethod\n      reseller {\n        name\n        csn\n      }\n      estimatedTotal {\n        amount\n        currency\n      }\n      subscriptions {\n        id\n        number\n        productName\n        seats\n        term\n        endDate\n        renewalWindow {\n          opensOn\n          closesOn\n          isOpen\n        }\n        renewalEligibility {\n          eligible\n          reasons\n        }\n      }\n    }\n  }\n": typeof types.EligibleGroupsDocument,
    "\n  mutation RequestQuote($input: CreateRenewalQuoteInput!) {\n    createRenewalQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.RequestQuoteDocument,
    "\n  mutation PreviewRenewal($input: PreviewQuoteInput!) {\n    previewQuote(input: $input) {\n      preview {\n        type\n        currency\n        lines {\n          subscription {\n            number\n          }\n          seats\n          term\n          startDate\n          endDate\n          unitPrice {\n            amount\n            currency\n          }\n          subtotal {\n            amount\n            currency\n          }\n          discount {\n            amount\n            currency\n          }\n          total {\n            amount\n            currency\n          }\n        }\n        promotions {\n          code\n          description\n          discount {\n            amount\n            currency\n          }\n        }\n        subtotal {\n          amount\n          currency\n        }\n        discountTotal {\n          amount\n          currency\n        }\n        total {\n          amount\n          currency\n        }\n        expiresOn\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.PreviewRenewalDocument,
    "\n  fragment QuoteDetail on Quote {\n    id\n    number\n    status\n    origin\n    expiresOn\n    address {\n      line1\n      line2\n      city\n      postalCode\n      country\n    }\n    customer {\n      name\n      csn\n      contacts {\n        email\n        role\n      }\n    }\n    lines {\n      subscription {\n        id\n        number\n        productName\n      }\n      seats\n      term\n      startDate\n      endDate\n      unitPrice {\n        amount\n        currency\n      }\n      subtotal {\n        amount\n        currency\n      }\n      discount {\n        amount\n        currency\n      }\n      total {\n        amount\n        currency\n      }\n    }\n    promotions {\n      code\n      description\n      discount {\n        amount\n        currency\n      }\n    }\n    subtotal {\n      amount\n      currency\n    }\n    discountTotal {\n      amount\n      currency\n    }\n    total {\n      amount\n      currency\n    }\n    statusHistory {\n      status\n      occurredAt\n      actor\n      reason\n    }\n    order {\n      number\n      paymentReference\n    }\n    failureReason\n    recipients {\n      email\n      name\n    }\n  }\n": typeof types.QuoteDetailFragmentDoc,
    "\n  query QuoteByNumber($number: String!) {\n    quote(number: $number) {\n      ...QuoteDetail\n    }\n  }\n": typeof types.QuoteByNumberDocument,
    "\n  subscription WatchQuote($id: ID!) {\n    quoteStatusChanged(quoteId: $id) {\n      status\n      previousStatus\n      occurredAt\n      quote {\n        ...QuoteDetail\n      }\n    }\n  }\n": typeof types.WatchQuoteDocument,
    "\n  mutation AcceptQuote($input: AcceptQuoteInput!) {\n    acceptQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.AcceptQuoteDocument,
    "\n  mutation UpdateDraft($input: UpdateDraftQuoteInput!) {\n    updateDraftQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.UpdateDraftDocument,
    "\n  mutation FinalizeQuote($input: FinalizeQuoteInput!) {\n    finalizeQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.FinalizeQuoteDocument,
    "\n  mutation DiscardDraft($input: DiscardDraftQuoteInput!) {\n    discardDraftQuote(input: $input) {\n      discardedQuoteId\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": typeof types.DiscardDraftDocument,
    "\n  fragment QuoteRow on Quote {\n    id\n    number\n    status\n    origin\n    createdAt\n    expiresOn\n    total {\n      amount\n      currency\n    }\n    customer {\n      name\n      csn\n    }\n  }\n": typeof types.QuoteRowFragmentDoc,
    "\n  query Quotes {\n    quotes(first: 20) {\n      totalCount\n      edges {\n        node {\n          ...QuoteRow\n        }\n      }\n    }\n  }\n": typeof types.QuotesDocument,
    "\n  subscription WatchQuotes {\n    quoteStatusChanged {\n      quote {\n        ...QuoteRow\n      }\n    }\n  }\n": typeof types.WatchQuotesDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer {\n      role\n      customer {\n        name\n        csn\n      }\n      partner {\n        name\n        csn\n      }\n    }\n  }\n": types.ViewerDocument,
    "\n  query EligibleGroups {\n    eligibleRenewalGroups {\n      key\n      currency\n      paymentMethod\n      reseller {\n        name\n        csn\n      }\n      estimatedTotal {\n        amount\n        currency\n      }\n      subscriptions {\n        id\n        number\n        productName\n        seats\n        term\n        endDate\n        renewalWindow {\n          opensOn\n          closesOn\n          isOpen\n        }\n        renewalEligibility {\n          eligible\n          reasons\n        }\n      }\n    }\n  }\n": types.EligibleGroupsDocument,
    "\n  mutation RequestQuote($input: CreateRenewalQuoteInput!) {\n    createRenewalQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.RequestQuoteDocument,
    "\n  mutation PreviewRenewal($input: PreviewQuoteInput!) {\n    previewQuote(input: $input) {\n      preview {\n        type\n        currency\n        lines {\n          subscription {\n            number\n          }\n          seats\n          term\n          startDate\n          endDate\n          unitPrice {\n            amount\n            currency\n          }\n          subtotal {\n            amount\n            currency\n          }\n          discount {\n            amount\n            currency\n          }\n          total {\n            amount\n            currency\n          }\n        }\n        promotions {\n          code\n          description\n          discount {\n            amount\n            currency\n          }\n        }\n        subtotal {\n          amount\n          currency\n        }\n        discountTotal {\n          amount\n          currency\n        }\n        total {\n          amount\n          currency\n        }\n        expiresOn\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.PreviewRenewalDocument,
    "\n  fragment QuoteDetail on Quote {\n    id\n    number\n    status\n    origin\n    expiresOn\n    address {\n      line1\n      line2\n      city\n      postalCode\n      country\n    }\n    customer {\n      name\n      csn\n      contacts {\n        email\n        role\n      }\n    }\n    lines {\n      subscription {\n        id\n        number\n        productName\n      }\n      seats\n      term\n      startDate\n      endDate\n      unitPrice {\n        amount\n        currency\n      }\n      subtotal {\n        amount\n        currency\n      }\n      discount {\n        amount\n        currency\n      }\n      total {\n        amount\n        currency\n      }\n    }\n    promotions {\n      code\n      description\n      discount {\n        amount\n        currency\n      }\n    }\n    subtotal {\n      amount\n      currency\n    }\n    discountTotal {\n      amount\n      currency\n    }\n    total {\n      amount\n      currency\n    }\n    statusHistory {\n      status\n      occurredAt\n      actor\n      reason\n    }\n    order {\n      number\n      paymentReference\n    }\n    failureReason\n    recipients {\n      email\n      name\n    }\n  }\n": types.QuoteDetailFragmentDoc,
    "\n  query QuoteByNumber($number: String!) {\n    quote(number: $number) {\n      ...QuoteDetail\n    }\n  }\n": types.QuoteByNumberDocument,
    "\n  subscription WatchQuote($id: ID!) {\n    quoteStatusChanged(quoteId: $id) {\n      status\n      previousStatus\n      occurredAt\n      quote {\n        ...QuoteDetail\n      }\n    }\n  }\n": types.WatchQuoteDocument,
    "\n  mutation AcceptQuote($input: AcceptQuoteInput!) {\n    acceptQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.AcceptQuoteDocument,
    "\n  mutation UpdateDraft($input: UpdateDraftQuoteInput!) {\n    updateDraftQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.UpdateDraftDocument,
    "\n  mutation FinalizeQuote($input: FinalizeQuoteInput!) {\n    finalizeQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.FinalizeQuoteDocument,
    "\n  mutation DiscardDraft($input: DiscardDraftQuoteInput!) {\n    discardDraftQuote(input: $input) {\n      discardedQuoteId\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n": types.DiscardDraftDocument,
    "\n  fragment QuoteRow on Quote {\n    id\n    number\n    status\n    origin\n    createdAt\n    expiresOn\n    total {\n      amount\n      currency\n    }\n    customer {\n      name\n      csn\n    }\n  }\n": types.QuoteRowFragmentDoc,
    "\n  query Quotes {\n    quotes(first: 20) {\n      totalCount\n      edges {\n        node {\n          ...QuoteRow\n        }\n      }\n    }\n  }\n": types.QuotesDocument,
    "\n  subscription WatchQuotes {\n    quoteStatusChanged {\n      quote {\n        ...QuoteRow\n      }\n    }\n  }\n": types.WatchQuotesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      role\n      customer {\n        name\n        csn\n      }\n      partner {\n        name\n        csn\n      }\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      role\n      customer {\n        name\n        csn\n      }\n      partner {\n        name\n        csn\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EligibleGroups {\n    eligibleRenewalGroups {\n      key\n      currency\n      paymentMethod\n      reseller {\n        name\n        csn\n      }\n      estimatedTotal {\n        amount\n        currency\n      }\n      subscriptions {\n        id\n        number\n        productName\n        seats\n        term\n        endDate\n        renewalWindow {\n          opensOn\n          closesOn\n          isOpen\n        }\n        renewalEligibility {\n          eligible\n          reasons\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EligibleGroups {\n    eligibleRenewalGroups {\n      key\n      currency\n      paymentMethod\n      reseller {\n        name\n        csn\n      }\n      estimatedTotal {\n        amount\n        currency\n      }\n      subscriptions {\n        id\n        number\n        productName\n        seats\n        term\n        endDate\n        renewalWindow {\n          opensOn\n          closesOn\n          isOpen\n        }\n        renewalEligibility {\n          eligible\n          reasons\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestQuote($input: CreateRenewalQuoteInput!) {\n    createRenewalQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RequestQuote($input: CreateRenewalQuoteInput!) {\n    createRenewalQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PreviewRenewal($input: PreviewQuoteInput!) {\n    previewQuote(input: $input) {\n      preview {\n        type\n        currency\n        lines {\n          subscription {\n            number\n          }\n          seats\n          term\n          startDate\n          endDate\n          unitPrice {\n            amount\n            currency\n          }\n          subtotal {\n            amount\n            currency\n          }\n          discount {\n            amount\n            currency\n          }\n          total {\n            amount\n            currency\n          }\n        }\n        promotions {\n          code\n          description\n          discount {\n            amount\n            currency\n          }\n        }\n        subtotal {\n          amount\n          currency\n        }\n        discountTotal {\n          amount\n          currency\n        }\n        total {\n          amount\n          currency\n        }\n        expiresOn\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PreviewRenewal($input: PreviewQuoteInput!) {\n    previewQuote(input: $input) {\n      preview {\n        type\n        currency\n        lines {\n          subscription {\n            number\n          }\n          seats\n          term\n          startDate\n          endDate\n          unitPrice {\n            amount\n            currency\n          }\n          subtotal {\n            amount\n            currency\n          }\n          discount {\n            amount\n            currency\n          }\n          total {\n            amount\n            currency\n          }\n        }\n        promotions {\n          code\n          description\n          discount {\n            amount\n            currency\n          }\n        }\n        subtotal {\n          amount\n          currency\n        }\n        discountTotal {\n          amount\n          currency\n        }\n        total {\n          amount\n          currency\n        }\n        expiresOn\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment QuoteDetail on Quote {\n    id\n    number\n    status\n    origin\n    expiresOn\n    address {\n      line1\n      line2\n      city\n      postalCode\n      country\n    }\n    customer {\n      name\n      csn\n      contacts {\n        email\n        role\n      }\n    }\n    lines {\n      subscription {\n        id\n        number\n        productName\n      }\n      seats\n      term\n      startDate\n      endDate\n      unitPrice {\n        amount\n        currency\n      }\n      subtotal {\n        amount\n        currency\n      }\n      discount {\n        amount\n        currency\n      }\n      total {\n        amount\n        currency\n      }\n    }\n    promotions {\n      code\n      description\n      discount {\n        amount\n        currency\n      }\n    }\n    subtotal {\n      amount\n      currency\n    }\n    discountTotal {\n      amount\n      currency\n    }\n    total {\n      amount\n      currency\n    }\n    statusHistory {\n      status\n      occurredAt\n      actor\n      reason\n    }\n    order {\n      number\n      paymentReference\n    }\n    failureReason\n    recipients {\n      email\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment QuoteDetail on Quote {\n    id\n    number\n    status\n    origin\n    expiresOn\n    address {\n      line1\n      line2\n      city\n      postalCode\n      country\n    }\n    customer {\n      name\n      csn\n      contacts {\n        email\n        role\n      }\n    }\n    lines {\n      subscription {\n        id\n        number\n        productName\n      }\n      seats\n      term\n      startDate\n      endDate\n      unitPrice {\n        amount\n        currency\n      }\n      subtotal {\n        amount\n        currency\n      }\n      discount {\n        amount\n        currency\n      }\n      total {\n        amount\n        currency\n      }\n    }\n    promotions {\n      code\n      description\n      discount {\n        amount\n        currency\n      }\n    }\n    subtotal {\n      amount\n      currency\n    }\n    discountTotal {\n      amount\n      currency\n    }\n    total {\n      amount\n      currency\n    }\n    statusHistory {\n      status\n      occurredAt\n      actor\n      reason\n    }\n    order {\n      number\n      paymentReference\n    }\n    failureReason\n    recipients {\n      email\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query QuoteByNumber($number: String!) {\n    quote(number: $number) {\n      ...QuoteDetail\n    }\n  }\n"): (typeof documents)["\n  query QuoteByNumber($number: String!) {\n    quote(number: $number) {\n      ...QuoteDetail\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchQuote($id: ID!) {\n    quoteStatusChanged(quoteId: $id) {\n      status\n      previousStatus\n      occurredAt\n      quote {\n        ...QuoteDetail\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription WatchQuote($id: ID!) {\n    quoteStatusChanged(quoteId: $id) {\n      status\n      previousStatus\n      occurredAt\n      quote {\n        ...QuoteDetail\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcceptQuote($input: AcceptQuoteInput!) {\n    acceptQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AcceptQuote($input: AcceptQuoteInput!) {\n    acceptQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateDraft($input: UpdateDraftQuoteInput!) {\n    updateDraftQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateDraft($input: UpdateDraftQuoteInput!) {\n    updateDraftQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FinalizeQuote($input: FinalizeQuoteInput!) {\n    finalizeQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation FinalizeQuote($input: FinalizeQuoteInput!) {\n    finalizeQuote(input: $input) {\n      quote {\n        ...QuoteDetail\n      }\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DiscardDraft($input: DiscardDraftQuoteInput!) {\n    discardDraftQuote(input: $input) {\n      discardedQuoteId\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DiscardDraft($input: DiscardDraftQuoteInput!) {\n    discardDraftQuote(input: $input) {\n      discardedQuoteId\n      userErrors {\n        code\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment QuoteRow on Quote {\n    id\n    number\n    status\n    origin\n    createdAt\n    expiresOn\n    total {\n      amount\n      currency\n    }\n    customer {\n      name\n      csn\n    }\n  }\n"): (typeof documents)["\n  fragment QuoteRow on Quote {\n    id\n    number\n    status\n    origin\n    createdAt\n    expiresOn\n    total {\n      amount\n      currency\n    }\n    customer {\n      name\n      csn\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Quotes {\n    quotes(first: 20) {\n      totalCount\n      edges {\n        node {\n          ...QuoteRow\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Quotes {\n    quotes(first: 20) {\n      totalCount\n      edges {\n        node {\n          ...QuoteRow\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchQuotes {\n    quoteStatusChanged {\n      quote {\n        ...QuoteRow\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription WatchQuotes {\n    quoteStatusChanged {\n      quote {\n        ...QuoteRow\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;