namespace Fw
{
    /// <summary>Direction of a logged packet, as the firewall sees it.</summary>
    public enum FwDirection
    {
        /// <summary>Received by this computer (path RECEIVE): the source is remote, the destination is local.</summary>
        Inbound = 1,

        /// <summary>Sent by this computer (path SEND): the source is local, the destination is remote.</summary>
        Outbound = 2,
    }
}
