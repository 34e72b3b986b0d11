/*
 * Facts stated by the source article, kept once. Texts in all four languages reach them by interpolation
 * ({{facts.name}}). UI labels are the product's English labels, shown in bold in every language.
 */
export const facts = {
  product: 'HubSpot',
  /** Contact record: the tab, the filter menu and the activity type to tick there. */
  activitiesTab: 'Activities',
  filterByMenu: 'Filter by',
  marketingEmailFilter: 'Marketing emails',
  /** Where the account's sending IP addresses are listed, and the button that copies all of them. */
  emailToolsMenu: 'Email tools',
  manageAllowlistItem: 'Manage allowlist',
  copyButton: 'Copy',
  /** What the recipient's IT team can allow-list when no email sending domain is connected. */
  sharedSendingDomains: ['shared.hubspot.com', 'hubspotemail.net'],
  /** A shortened link and the full link it stands for: shortened links can lead to more spam reports. */
  shortLinkExample: 'youtu.be/xyz',
  fullLinkExample: 'youtube.com/xyz',
} as const;
