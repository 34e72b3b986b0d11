/*
 * Facts stated by the source article (Agro, Norwegian help center), kept once. Product UI labels, menu paths and
 * module names stay in Norwegian in every language, because that is how the product shows them.
 */
const product = 'Agro';

export const facts = {
  product,
  /** The desktop product where the email log lives (not the cloud platform). */
  desktopProduct: `${product} Økonomi`,
  /** The cloud platform modules can be moved to; moved modules always send with the built-in solution. */
  cloudPlatform: 'agro24',
  /** Where the email solution is chosen. */
  mailSettingsMenu: `${product} | Oppsett | Epost innstillinger`,
  /** The two email solutions, as the settings label them. */
  builtInOption: 'Innebygget',
  externalOption: 'Ekstern',
  /** The third-party provider the built-in solution sends through. */
  builtInProvider: 'SendGrid',
  /** The log of emails sent with the built-in solution, in the desktop product. */
  emailLogMenu: `${product} | Epostlogg`,
  /** Status in the email log: the recipient's mail server accepted the email. */
  statusDelivered: 'Levert',
  /** Status in the email log: the recipient's mail server refused the email; a rejection message goes to the sender address. */
  statusRejected: 'Avvist',
  /** The mail program's folder that shows an external send was attempted. */
  sentFolder: 'Sendt',
  /** Example of a mail program installed on the computer, used by the external solution. */
  mailProgramExample: 'Outlook',
  /** Example of a recipient's mail provider. */
  recipientProviderExample: 'Gmail',
  /** Always on the cloud platform, so always built-in. */
  payrollModule: 'Lønn',
  /** May be moved to the cloud platform (then built-in); otherwise they follow the setting. */
  invoiceModule: 'Faktura',
  timeModule: 'Time',
  accountingReportsModule: 'Regnskapsrapporter',
  /** Examples of the other modules, which always follow the setting. */
  accountingModule: 'Regnskap',
  taxModule: 'Skatt',
  /** The sending server type, where a delivered email's fate cannot be traced. */
  sendingServerType: 'SMTP',
  /** The recipient's mailbox server types, where it can. */
  imapServerType: 'IMAP',
  popServerType: 'POP',
} as const;
