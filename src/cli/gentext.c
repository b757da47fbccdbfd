/* gentext.c - the templates behind `heed generate` (see gentext.h for the
 * slots). All of it is original, fictional text for Northwind Shop. */
#include <stddef.h>

#include "gentext.h"

#define L(...) (const char *const[]){__VA_ARGS__, NULL}

const char *const gen_products[] = {
    "carry-on suitcase", "coffee grinder", "pair of running shoes", "baby monitor",
    "standing desk", "set of saucepans", "wireless headphones", "winter coat",
    "kettle", "robot vacuum", "desk lamp", "kids' bike", "air fryer", "mesh Wi-Fi kit",
    "bedding set", "phone case and charger", NULL};

const char *const gen_first_names[] = {
    "Marta", "James", "Aisha", "Tom", "Priya", "Lukas", "Chloe", "Daniel", "Fatima", "Owen",
    "José", "Hannah", "Wei", "Grace", "Samuel", "Zoë", "Ibrahim", "Ella", "Mateo", "Niamh",
    "Renée", "Kofi", "Sophie", "Björn", "Amira", "Liam", "Yuki", "Rosa", "Ben", "Irene",
    "François", "Leila", "Patrick", "Ana", "Ravi", "Margaret", "Dev", "Olga", "Callum", "Nadia",
    NULL};

const char *const gen_last_names[] = {
    "Silva", "Okafor", "Byrne", "Novak", "Patel", "Schmidt", "Moreau", "Kowalski", "Hughes",
    "Haddad", "García", "Lindqvist", "Chen", "O'Neill", "Mensah", "Fischer", "Costa", "Walsh",
    "Nakamura", "Rossi", "Evans", "Jansen", "Khan", "Murphy", "Dubois", "Reid", "Santos",
    "Nowak", "Ahmed", "Brennan", NULL};

const char *const gen_carriers[] = {"ParcelPoint", "SwiftRoute", "CityDrop", NULL};

const char *const gen_delivery_failures[] = {
    "Recipient not at home, card left", "Address could not be found", "Access code needed",
    "Vehicle breakdown, will reattempt", NULL};

const char *const gen_payment_failures[] = {
    "card declined: insufficient funds", "3-D Secure authentication timed out",
    "card expired", "bank declined: suspected fraud check", NULL};

/* ---- scenarios ---------------------------------------------------------- */

const gen_scen gen_scens[GEN_S_COUNT] = {
    [GEN_S_LATE_PARCEL] = {
        "late_parcel", GEN_TEAM_ORDERS, GEN_K_DELIVERY, 1, 0,
        L("Order {o} not arrived", "Where is my order {o}?", "Late delivery {o}"),
        L("Hello,\n\nI ordered a {p} (order {o}) on {D} with [3-day|next-day|standard] delivery. "
          "The tracking [page hasn't moved since|has said \"in transit\" since] [Saturday|Monday|last week] "
          "and I [need it for a trip on Friday|need it for my daughter's birthday this weekend|have "
          "been waiting in all day twice]. Can you please tell me what is going on?",
          "where is my order {o}?? it was supposed to be here [two days ago|on Tuesday|last week] "
          "and the tracking says nothing",
          "Hi, my {p} (order {o}, {a}) still hasn't arrived. [I paid extra for fast delivery.|"
          "This is really not good enough.|I'm starting to worry it's lost.] "
          "When will it actually come?",
          "Order {o} is [5|6|8] days late now. Nobody has told me anything. What is happening?"),
        L("It was [a present|for work|for a trip], so I really need it by [Friday|the weekend|"
          "Thursday]. The tracking link just says \"label created\".",
          "I've been in all day [twice|three times] waiting for it. Nothing came and no card was left."),
        L("I'm sorry it's late. Could you tell me what the tracking page shows for you right now, "
          "and is there a date you need it by?",
          "Can I ask what you need it for and by when? Then I can see which option works best for you."),
        L("I've checked {o}: the parcel was held at the [depot|sorting centre] after a scanning fault. "
          "I've put it on a priority van and you'll have it {d}. I'll check on it myself and e-mail you "
          "either way.",
          "I've cancelled the stuck shipment and sent a new {p} by express at no cost to you. "
          "It will reach you {d}, and I'll send the new tracking link today."),
        L("Once an order has left our warehouse it is with the courier, so you'll need to contact "
          "{x} directly about the delivery.",
          "Please check the tracking link and contact the courier, {x}, as we can't see more than "
          "you can."),
        L("Still no sign of order {o}. You told me I'd have it {d}. This is the {c} time I'm "
          "contacting you about it.",
          "the parcel {o} STILL hasn't come. {c} time asking now. what is going on??")},

    [GEN_S_FAILED_DELIVERY] = {
        "failed_delivery", GEN_TEAM_ORDERS, GEN_K_DELIVERY, 1, 0,
        L("Missed delivery {o}", "Delivery failed but I was home", "Redelivery for {o}"),
        L("Hi, the courier says they tried to deliver order {o} and nobody was in. I was at home "
          "[all day|the whole morning|working from the kitchen table] and nobody knocked. The "
          "message says \"{x}\". How do I get my {p}?",
          "Your courier marked my parcel {o} as \"{x}\". [That's not true.|I was right there.|"
          "The address is correct and has been for 10 years.] Can you redeliver it please?",
          "delivery failed for {o}?? i was in. can someone actually bring it"),
        L("I'm in every day after [3pm|noon|10am]. The flat is [number 4, above the bakery|"
          "round the back, blue door], the buzzer doesn't work so they need to call me.",
          "Any weekday is fine, just not before 9. My phone number is on the order."),
        L("That's frustrating. So I book the right slot: which days and times are you usually in, "
          "and is there anything the driver needs to know to find the door?",
          "Sorry about that. Would a neighbour or a parcel locker work for you, or would you rather "
          "we bring it to your door?"),
        L("I've booked a redelivery of {o} for you and added a note for the driver to call you on "
          "arrival. It will be with you {d}.",
          "I've arranged for {p} to go out again with a different driver, who will bring it {d}. "
          "I'll e-mail you the slot today."),
        L("Redeliveries are arranged by the courier. Please use the card left by {x} to book a "
          "new slot.",
          "You'll need to contact {x} to rearrange the delivery, their number is on the card."),
        L("The redelivery of {o} didn't happen either. You said {d}. This is the {c} time I've "
          "had to contact you.",
          "Still waiting for {o}. {c} contact. I took a day off work for this.")},

    [GEN_S_DOUBLE_CHARGE] = {
        "double_charge", GEN_TEAM_BILLING, GEN_K_REFUND, 1, 0,
        L("Charged twice", "Double payment {a}", "Duplicate charge on my card"),
        L("hi i was charged twice for my monthly plan, {a} two times on {D}",
          "Hello, I've just checked my bank and you have taken {a} twice for order {o}. "
          "[Please refund the second payment.|I'm now overdrawn because of this.|Rent is due on "
          "Monday so I need that money back.]",
          "Why have I been charged {a} twice?? I only ordered once. Order {o}."),
        L("Both payments are on {D}, same amount, {a}. I only have the one card with you.",
          "The second one went through about [a minute|ten minutes|an hour] after the first. "
          "My bank says both are completed, not pending."),
        L("I'm sorry for the worry. Could you tell me the date and the last four digits of the card "
          "both payments came from, so I find the right ones?",
          "Can I check: are both charges showing as completed, or is one still pending with your "
          "bank?"),
        L("I can see the duplicate payment of {a}. I've refunded it now and you will see the money "
          "back on your card {d}.",
          "I've cancelled the second charge and issued a refund of {a}. It will reach your account "
          "{d}, and I'll e-mail you the refund confirmation today."),
        L("Duplicate charges are usually a pending authorisation. Please contact your bank, they "
          "can tell you more.",
          "You'll need to speak to your card issuer about this, we can't see your bank's side."),
        L("I was promised a refund of {a} {d}. It has not arrived. This is the {c} time I'm "
          "contacting you about money you took twice.",
          "where is my refund?? {a}. {c} time asking. you said {d}")},

    [GEN_S_FAILED_PAYMENT] = {
        "failed_payment", GEN_TEAM_BILLING, GEN_K_PAYMENT, 0, 0,
        L("Payment failed?", "Why did my payment fail", "Direct debit problem"),
        L("Hi, I got an e-mail saying my payment of {a} failed ({x}). My card is fine and I "
          "have money in the account. What do I need to do? Will my service be cut off?",
          "payment failed again for my broadband bill?? what does \"{x}\" mean",
          "Hello, my order {o} was cancelled because the payment didn't go through. "
          "Can I pay another way?"),
        L("I use the same card for everything and it works in other shops. I tried again "
          "yesterday and it said the same.",
          "I got a new card last month, maybe that's it? The old one expired."),
        L("Thanks for letting us know. Did you get a new card recently, or has your bank sent "
          "you any message about the payment?",
          "Could you tell me when you last tried to pay and what the screen said?"),
        L("It failed because the card on file has expired. I've sent you a secure link to update "
          "it, and I'll retry the payment of {a} {d}. Your service will not be interrupted.",
          "I've put a hold on any late fee and re-sent the payment request of {a}. We'll take "
          "it again {d}; nothing will be switched off in the meantime."),
        L("Failed payments are between you and your bank. Please contact them.",
          "Please check with your card provider why the payment was declined."),
        L("The payment link you promised {d} never came. Now I have a late fee. {c} time I'm "
          "asking about this.",
          "still can't pay, nobody called. {c} time contacting you")},

    [GEN_S_REFUND] = {
        "refund", GEN_TEAM_ORDERS, GEN_K_REFUND, 1, 0,
        L("Refund for returned {p}", "Return {o} - where is my refund?", "Refund request"),
        L("Hello,\n\nI returned the {p} from order {o} [two weeks ago|on {D}|over ten days ago] "
          "and have the drop-off receipt. I still haven't had my refund of {a}. How long does it "
          "take?",
          "Can I get a refund for order {o}? The {p} arrived [broken|with a cracked lid|"
          "missing parts] and I've sent it back.",
          "hi, returned my {p} ({o}), still no refund. {a} is a lot of money for me right now"),
        L("I dropped it at the [post office|parcel shop on High Street|locker at the station] "
          "on {D}. The receipt number is RT-[40211|57730|61942].",
          "It was sent back in the original box with the returns label you sent me."),
        L("Sorry for the wait. Could you tell me where you dropped it off and whether you have the "
          "receipt number, so I can trace it?",
          "Can I ask how you sent it back, and did it go in the original packaging?"),
        L("Your return arrived at our warehouse on Tuesday. I've processed the refund of {a} "
          "now and you'll have it back on your card {d}.",
          "I've issued the refund of {a} for {o} myself. You should see it {d}; I'll e-mail "
          "you the confirmation."),
        L("Refunds are handled by our returns centre. Please fill in the returns form on "
          "help.example.com and they will contact you.",
          "Please ask your bank to check; refunds are sent as soon as returns are checked."),
        L("You told me my refund of {a} would be back {d}. It isn't. This is the {c} time I'm "
          "writing about order {o}.",
          "STILL no refund for {o}. {c} time. you promised {d}")},

    [GEN_S_CALLBACK] = {
        "callback", GEN_TEAM_TECH, GEN_K_CALLBACK, 1, 0,
        L("Please call me back", "Waiting for a call", "Need to speak to someone"),
        L("Hi, I've been on hold for [40|55|over 70] minutes twice today about my contract and "
          "got cut off both times. Can someone please call me back instead?",
          "can someone call me? it's about my phone plan, way too complicated to type",
          "Hello, I need to talk to a person about moving my broadband to a new address on {D}. "
          "Please call me."),
        L("Any time after [4pm|lunch|10am] is best. I work nights so please not early morning.",
          "The best number is the one on my account. I'm free most afternoons."),
        L("Of course. What time of day suits you best, and which number should we use?",
          "Happy to arrange that. Is it about the contract itself or something not working?"),
        L("I've booked a call for you with our contracts team; they will call you {d} on the "
          "number on your account.",
          "I'll call you back myself {d}. If that time doesn't suit, just reply with a better one."),
        L("We don't do callbacks. Please call our support line during opening hours.",
          "Please use the chat on the website, we are not able to arrange calls."),
        L("Nobody called me {d} like you said. This is the {c} time I'm asking for a call back.",
          "still waiting on that call you promised {d}. {c} time.")},

    [GEN_S_OUTAGE] = {
        "outage", GEN_TEAM_TECH, GEN_K_REPAIR, 2, 0,
        L("Broadband down", "No internet AGAIN", "Outage at my address"),
        L("My broadband has been down since [Sunday|yesterday morning|Friday night]. I work from "
          "home and I [can't work|have lost a day's pay|have a deadline tomorrow]. I've restarted the "
          "router [three times|twice|more times than I can count]. What is going on?",
          "no internet again since {D}. the router light is flashing red. i work from home, this "
          "is costing me money",
          "This is the {c} time I'm contacting you about my broadband. It drops every evening "
          "and nobody fixes it. I pay {a} a month for this."),
        L("The light on the router is [flashing red|orange|off]. Other people on my street have "
          "the same problem.",
          "It drops every evening around 7 and comes back after midnight. It's been like that for "
          "a week."),
        L("That sounds really disruptive, especially working from home. What colour is the light "
          "on the router now, and do the neighbours have the same problem?",
          "Can you tell me when it started and whether it drops at a particular time of day?"),
        L("I've booked an engineer to fix the line; they will be with you {d} between 8am and 1pm. "
          "I've also credited {a} for the days without service.",
          "There is a fault at the street cabinet and an engineer is on site. It will be repaired "
          "{d}, and I'll text you as soon as it's fixed."),
        L("Please restart your router and check your cables. If the problem continues, contact us "
          "again.",
          "Please check our service status page, status.example.com, for updates."),
        L("The engineer never came {d}. This is the {c} time I'm contacting you. If it's not "
          "fixed this week I'm cancelling and complaining to the ombudsman.",
          "{c} time now. still no internet. nobody turned up. i want to cancel")},

    [GEN_S_DAMAGED] = {
        "damaged", GEN_TEAM_ORDERS, GEN_K_REPLACEMENT, 1, 0,
        L("Damaged item {o}", "{p} arrived broken", "Replacement please"),
        L("Hi, my {p} (order {o}) arrived [smashed|with a big crack|with the box soaked through]. "
          "I've taken photos. Can you send a replacement?",
          "the {p} from {o} doesn't work out of the box. it was a present for {D}. what now",
          "Hello, order {o} arrived today but the {p} is damaged. Very disappointed, it cost {a}."),
        L("The box was [crushed on one corner|wet|taped up again] when it arrived. I have photos "
          "of the box and the item.",
          "It doesn't switch on at all. I tried two different sockets."),
        L("I'm sorry, that's disappointing after waiting for it. Was the box damaged too, and do "
          "you still have the packaging?",
          "Could you tell me what happens when you switch it on? Then I know what to send."),
        L("I've ordered a replacement {p} for you at no cost; it will be delivered {d}. The "
          "courier will collect the damaged one at the same time.",
          "I've sent a new {p} by express; it will reach you {d}. No need to send the old one back."),
        L("Damage in transit must be reported to the courier. Please contact {x} with your photos.",
          "You'll need to return the item through our returns portal first."),
        L("The replacement you promised {d} hasn't arrived. {c} time contacting you about {o}.",
          "still no replacement for {o}. {c} time asking.")},

    [GEN_S_BEREAVEMENT] = {
        "bereavement", GEN_TEAM_BILLING, GEN_K_REFUND, 2, 1,
        L("Closing my late father's account", "Account of my mother who passed away",
          "Bereavement - closing an account"),
        L("Hello,\n\nMy [father|mother] passed away on {D}. [He|She] had a phone and broadband "
          "contract with you. I need to close the account and stop the direct debit. I'm finding "
          "all this very hard, so please tell me simply what you need from me.",
          "Hi, my [dad|mum] died [last month|three weeks ago] and I'm sorting out [his|her] "
          "accounts. You are still taking {a} every month. How do I cancel it?",
          "I'm writing about my late husband's account. I don't know the password or account "
          "number. I just want the letters to stop."),
        L("I'm the executor. I have the death certificate. The last payment of {a} was taken "
          "after [he|she] died.",
          "I don't have the account number, only the letters that keep coming. It's upsetting every "
          "time one arrives."),
        L("I'm so sorry for your loss. Take your time: could you tell me whether you're the "
          "executor, and would you prefer we deal with this by e-mail or by phone?",
          "I'm very sorry. To make this as easy as possible, do you have a recent letter from us, "
          "or shall I find the account with the address?"),
        L("I've closed the account today and stopped the direct debit. I've also refunded the "
          "{a} taken after {D}; it will be back in the account {d}. You won't receive any more "
          "letters, and you don't need to do anything else.",
          "I've marked the account for our bereavement team and refunded {a}, which will arrive "
          "{d}. I'll call you myself to confirm once it's all closed."),
        L("Please send a copy of the death certificate and a grant of probate to our "
          "correspondence address. Accounts can only be closed once these are received.",
          "Account closures must be requested by the account holder or through our bereavement "
          "form on the website."),
        L("I was told the refund of {a} would come {d} and the letters would stop. Another "
          "letter came addressed to my [father|mother]. This is the {c} time. I can't keep doing "
          "this.",
          "{c} time writing. you're still sending letters to my [dad|mum]. please just stop.")},

    [GEN_S_ILLNESS] = {
        "illness", GEN_TEAM_ORDERS, GEN_K_REFUND, 2, 1,
        L("Return after hospital stay", "Missed the returns window - I was in hospital",
          "Return of {o}"),
        L("Hi, I was in hospital for [two weeks|most of the month] after [an operation|a fall] "
          "and missed the 30-day return window for my {p} (order {o}). Is there anything you "
          "can do? I can't afford to keep it.",
          "hello, I have [cancer treatment|chemo] at the moment and I couldn't get to the post "
          "office in time to return order {o}. can you please still refund it",
          "I'm recovering from surgery and can't lift the box to send {o} back. Can someone "
          "collect it?"),
        L("I got home on {D}. I still can't drive so I can't get to the post office.",
          "My [son|daughter] can hand it over at the door but can't take it anywhere."),
        L("I'm sorry you've been unwell, and I hope you're recovering. Would a collection from your "
          "home be easier than a drop-off?",
          "Thank you for telling me. What would make the return easiest for you right now?"),
        L("I've extended the return window for you and booked a free collection from your home. "
          "Once it's picked up I'll refund {a}, which will reach you {d}.",
          "I've approved the refund of {a} without the return; you will have it {d}. Please "
          "keep the {p} or donate it."),
        L("Our returns policy is 30 days from delivery. We are unable to make exceptions.",
          "Please contact the manufacturer about returns outside our window."),
        L("The refund you promised {d} hasn't come. This is the {c} time I'm asking and I'm "
          "not well enough to keep chasing this.",
          "{c} time asking about my refund for {o}. still nothing.")},

    [GEN_S_HARDSHIP] = {
        "hardship", GEN_TEAM_BILLING, GEN_K_PAYMENT, 2, 1,
        L("Can't pay my bill this month", "Payment plan?", "Lost my job"),
        L("Hi, I lost my job [last month|two weeks ago] and I can't pay my bill of {a} this "
          "month. I don't want to lose my phone, I need it for job interviews. Is there "
          "anything you can do?",
          "my payment failed again ({x}). i honestly don't have the money until [the 15th|"
          "my next pay day|universal credit comes in]. please don't cut me off",
          "Hello, I'm struggling to pay for my broadband and phone ({a} a month). Can I go on "
          "a cheaper plan or pay in parts?"),
        L("I get paid on the [15th|28th]. I can pay about half now and the rest then.",
          "I need the phone for interviews and my kids' school contacts me on it."),
        L("Thank you for telling me, I know that's not easy. Can I ask when your next income comes "
          "in, so we can find a plan that works for you?",
          "I'm sorry things are hard right now. Would splitting the bill, or a cheaper plan, help "
          "more?"),
        L("I've set up a payment plan: we'll take half of the {a} {d} and the rest next month, "
          "with no late fees. Your service stays on.",
          "I've paused collection and moved you to our 2-month support plan. The next payment "
          "will be taken {d} and your phone stays connected."),
        L("Bills must be paid in full by the due date. Please contact a debt advice charity.",
          "We can't change payment dates. If payment is not received, the service will be "
          "suspended."),
        L("You said the payment would be taken {d} as agreed, but you took the full {a} and "
          "now I'm overdrawn. This is the {c} time I've contacted you.",
          "{c} time. you promised a payment plan and still charged the full {a}")},

    [GEN_S_CONFUSED] = {
        "confused", GEN_TEAM_TECH, GEN_K_NONE, 0, 0,
        L("Question about my bill", "What does this mean?", "How do I set this up?"),
        L("Hi, my bill says \"pro-rata adjustment\" and \"line rental uplift\". What do these mean? "
          "Why is it {a} this month when it's normally less?",
          "how do i connect the new router?? there are 4 cables and none of them fit. also is the "
          "wifi password on the back?",
          "Hello, I got an e-mail asking me to confirm my bank details at a link. Is it really "
          "from you? Should I click it?",
          "Can I keep my phone number if I switch my plan? And will I lose my saved messages?"),
        L("It's the bill from {D}. The usual amount is lower, I don't understand the extra lines.",
          "It's the grey box that came on {D}. I'm not very good with technology."),
        L("Happy to help. Which bill are you looking at, and what is the amount you usually pay?",
          "Sure. Is it the grey router or the white one, and what does the light show?"),
        L("The higher amount is a one-off: you changed plan mid-month, so this bill covers part "
          "of both. From next month it goes back to the usual amount.",
          "Plug the grey cable into the port marked DSL and the wall socket; the Wi-Fi name and "
          "password are on the sticker on the back. I'll send you the setup guide by e-mail today."),
        L("Please see the FAQ on help.example.com.",
          "Please read the user guide that came in the box."),
        L("I still don't understand my bill. This is the {c} time I've asked.",
          "{c} time asking. can someone just explain it in normal words")},

    [GEN_S_HAPPY] = {
        "happy", GEN_TEAM_ORDERS, GEN_K_NONE, 0, 0,
        L("Thank you!", "Great service", "Just wanted to say thanks"),
        L("Just wanted to say thank you, my {p} arrived a day early and it's perfect. "
          "[Great service!|You've got a customer for life.|Really impressed.]",
          "Thanks so much to {g} who helped me last week with order {o}. Everything is sorted. :)",
          "Hi! Quick one: the {p} is brilliant, can I order a second one with the same discount?"),
        L("It was order {o}, a present for my [sister|dad|neighbour].",
          "Yes, same colour please."),
        L("That's lovely to hear, thank you! Was it a present, or for yourself?",
          "Thank you! Which colour would you like this time?"),
        L("Thank you so much for letting us know. I've passed your message on to the team, and "
          "I've added a 10% code to your account for next time.",
          "I've applied the same discount to your account; it's ready whenever you order."),
        L("Please leave a review on our website.", "Please use the contact form for orders."),
        L("Thanks again.", "thanks!")},
};

/* ---- agent replies by style --------------------------------------------- */

const char *const gen_empathy_high[] = {
    "I'm so sorry, that sounds like a really hard situation, and I want to make this as easy as I "
    "can for you.",
    "I can hear how much stress this is causing, and I'm sorry we've added to it.",
    "Thank you for telling me, and I'm very sorry. You shouldn't have to chase us while dealing "
    "with this.",
    "I completely understand why you're upset. Having this happen on top of everything else is "
    "awful.",
    NULL};

const char *const gen_empathy[] = {
    "Thanks for getting in touch, and sorry for the trouble.",
    "I'm sorry about this, I can see why you're frustrated.",
    "I understand, that's not the experience we want you to have.",
    "Sorry to hear that, and thanks for your patience.",
    NULL};

const char *const gen_nothing_to_do[] = {
    "I'm so sorry to hear about this and I completely understand your frustration. "
    "Unfortunately there is nothing we can do at this stage.",
    "We sincerely apologise for any inconvenience caused. I'm afraid there's nothing more I "
    "can do, but I really do understand how you feel.",
    "I'm really sorry, that must be so frustrating. Sadly this is out of our hands.",
    NULL};

const char *const gen_policy[] = {
    "As per our terms and conditions (clause 9.3), this request cannot be processed.",
    "In line with company policy we are unable to make exceptions in this case.",
    "Our policy does not allow this. Please refer to section 12 of your contract.",
    NULL};

const char *const gen_jargon[] = {
    "Your RMA is pending SLA review at tier 2. Once the L2 ticket is actioned the CX team will "
    "update the case status.",
    "The ONT shows LOS on the GPON port; a tier 2 fault ticket has been raised per SLA.",
    "Your DD mandate has been flagged for BACS reprocessing. Please allow the standard SLA for "
    "ARUDD reconciliation.",
    "The case has been escalated to the back office for a T2 review under our standard SLA.",
    NULL};

/* The same texts word for word in many conversations: what a canned detector sees. */
const char *const gen_canned[] = {
    "Thank you for contacting Northwind Shop. We apologise for any inconvenience caused. Your "
    "case has been logged and a member of our team will be in touch.",
    "Thank you for your message. We value your feedback and are always looking to improve our "
    "service. Kind regards, Northwind Shop Customer Care",
    NULL};

const char *const gen_curt_refund[] = {"Duplicate payment confirmed. Refund {a} processed {d}.",
                                       "Done. {d}.", NULL};

const char *const gen_agent_close[] = {
    "Is there anything else I can help with?", "Glad it's sorted, have a lovely day!",
    "You're welcome. Take care.", "Thanks for bearing with us.", NULL};

/* ---- the customer's later turns ----------------------------------------- */

const char *const gen_pushback[] = {
    "That doesn't help me at all. I'm asking YOU to sort it out.",
    "So what am I supposed to do? Nobody takes responsibility.",
    "I don't understand a word of that. What does it mean for me?",
    "Seriously? I've already done all of that.",
    "that's the same message I got last time. is anyone actually reading this?",
    NULL};

const char *const gen_threats[] = {
    "If this isn't fixed by the end of the week I'm cancelling my contract.",
    "I'll be making a formal complaint to the ombudsman.",
    "I'm going to ask my bank for a chargeback.",
    "I'm posting about this on every review site I can find.",
    "I've had enough. Cancel everything.",
    "I'll be contacting the regulator about how I've been treated.",
    NULL};

/* The customer back about the same problem when nothing was promised (or the
 * promise was kept and the problem came back): no "you said". */
const char *const gen_followup_again[] = {
    "Hello again. I contacted you about this [a few days ago|last week] and it still isn't "
    "sorted. This is the {c} time I've had to get in touch, and I'd like it resolved today.",
    "I'm back about the same problem as before. Nothing has changed and nobody has got back "
    "to me. This is the {c} time I'm contacting you.",
    "still not sorted. {c} time i'm asking about this. can someone actually help?",
    "[Me again|Hi again]. The problem I reported [a few days ago|last time] is still there. "
    "That makes this the {c} contact. Please can someone look at it properly?",
    NULL};

const char *const gen_giving_up[] = {
    "Forget it. I'll sort it myself.", "fine. whatever.",
    "I give up. Worst customer service I've ever had.", NULL};

const char *const gen_thanks[] = {
    "Oh thank you so much, that's a huge relief.",
    "Thank you, that's exactly what I needed.", "great, thanks a lot!",
    "Thank you for being so kind about it.", "Brilliant, thanks {g}.", NULL};

const char *const gen_ok_thanks[] = {"ok. thanks i guess", "Ok.", "fine, thanks.",
                                     "Right. We'll see.", NULL};

/* ---- surveys ------------------------------------------------------------ */

const char *const gen_survey_good[] = {
    "{g} was brilliant, sorted it in one go.", "Quick and kind. Thank you!",
    "Really helpful, explained everything clearly.", "Problem solved, no fuss.", NULL};

const char *const gen_survey_bad[] = {
    "Had to contact you three times and it's still not fixed.",
    "Nobody took responsibility. Copy-paste answers.",
    "Promised a refund that never came.", "Useless. Cancelling.",
    "I didn't understand the reply, full of codes.", NULL};

const char *const gen_survey_mid[] = {"Took a while but got there.", "OK in the end.",
                                      "Fine, but the wait was long.", NULL};

const char *const gen_private_notes[] = {
    "Internal: customer very upset, check payment logs before replying. Do not promise a refund "
    "until finance confirms.",
    "Internal note: second contact about this. Flagged to team lead.",
    NULL};
